import { browser } from 'wxt/browser';
import { defaultServerUrl } from '@onhand/shared';

/**
 * Where the server is and the seller's token. Stored in the extension's local
 * storage, which only the background worker and the extension's own pages
 * read; content scripts never receive either value.
 */
export interface ConnectionSettings {
  serverUrl: string;
  token: string | null;
}

const keys = { serverUrl: 'onhand.serverUrl', token: 'onhand.token' } as const;

export async function loadSettings(): Promise<ConnectionSettings> {
  const stored = await browser.storage.local.get([keys.serverUrl, keys.token]);
  const serverUrl = stored[keys.serverUrl];
  const token = stored[keys.token];
  return {
    serverUrl: typeof serverUrl === 'string' && serverUrl ? serverUrl : defaultServerUrl,
    token: typeof token === 'string' && token ? token : null,
  };
}

export async function saveSettings(settings: ConnectionSettings): Promise<void> {
  await browser.storage.local.set({ [keys.serverUrl]: settings.serverUrl, [keys.token]: settings.token ?? '' });
}

/**
 * Normalises what a person typed: an http(s) origin plus optional path, no
 * trailing slash. Returns an error message instead when it is not usable.
 */
export function normaliseServerUrl(input: string): { ok: true; url: string } | { ok: false; message: string } {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: 'Enter a full address, like http://127.0.0.1:8787' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: 'The address must start with http:// or https://' };
  }
  if (url.username || url.password) return { ok: false, message: 'Put the token in its own field, not in the address' };
  url.search = '';
  url.hash = '';
  return { ok: true, url: url.toString().replace(/\/+$/, '') };
}
