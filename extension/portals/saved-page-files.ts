import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MarketplaceName } from './portal-row';

/** One saved portal page: the file under `<portal>/fixtures/` and the real URL it was saved from. */
export interface SavedPageInfo {
  file: string;
  url: string;
}

export interface SavedPage extends SavedPageInfo {
  portal: MarketplaceName;
  name: string;
}

/**
 * Reads saved pages of the portal whose module URL is given (tests and the
 * end-to-end suite only: this uses the file system). Path strings, not URL
 * objects: happy-dom replaces the global URL in DOM tests.
 */
export function savedPageReader(moduleUrl: string): (file: string) => string {
  const dir = join(dirname(fileURLToPath(moduleUrl)), 'fixtures');
  return (file) => readFileSync(join(dir, file), 'utf8');
}

/** Parses a saved page the way a unit test needs it (no scripts run). */
export function parseSavedPage(html: string): Document {
  return new DOMParser().parseFromString(html, 'text/html');
}
