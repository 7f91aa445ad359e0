import { useEffect, useRef, useState } from 'preact/hooks';
import type { Marketplace } from '@onhand/shared';
import { loadDisabledPortals, overlayPortals, saveDisabledPortals } from '../background/overlay-portals';
import { newIntentKey, safely, type Ask } from '../popup/ask';

/** Which portals get the overlay. Saved at once; content scripts ask the background before doing anything. */
export function OverlayPortalsSection({ load = loadDisabledPortals, save = saveDisabledPortals }: { load?: typeof loadDisabledPortals; save?: typeof saveDisabledPortals }) {
  const [disabled, setDisabled] = useState<Set<Marketplace> | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void load().then(setDisabled);
  }, []);
  if (!disabled) return null;
  async function toggle(marketplace: Marketplace, on: boolean): Promise<void> {
    const next = new Set(disabled);
    if (on) next.delete(marketplace);
    else next.add(marketplace);
    setDisabled(next);
    await save(next);
    setSaved(true);
  }
  return (
    <section class="section" aria-labelledby="portals-heading">
      <h2 id="portals-heading">Overlay on these portals</h2>
      <fieldset class="checks">
        <legend class="visually-hidden">Portals</legend>
        {overlayPortals.map((p) => (
          <label key={p.marketplace} class="check">
            <input type="checkbox" name={`portal-${p.marketplace}`} checked={!disabled.has(p.marketplace)} onChange={(e) => void toggle(p.marketplace, e.currentTarget.checked)} />
            {p.label}
          </label>
        ))}
      </fieldset>
      {saved && (
        <p class="message" role="status">
          Saved. Reload open portal pages to apply.
        </p>
      )}
    </section>
  );
}

/**
 * Per-account settings kept on the server: after how many days without a
 * count an MF source counts as "not managed here" (a cause negatives.explain
 * gives). Needs a working connection.
 */
export function TenantSettingsSection({ ask, connected }: { ask: Ask; connected: boolean }) {
  const [days, setDays] = useState<string>('');
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  const key = useRef<{ days: string; key: string } | null>(null);
  useEffect(() => {
    if (!connected) return;
    void safely(ask, { type: 'settings.get' }).then((reply) => {
      if (reply.ok) setDays(String(reply.data.notCountedAfterDays));
      else setMessage({ tone: 'error', text: reply.message });
    });
  }, [connected]);
  if (!connected) return null;

  async function save(): Promise<void> {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 3650) {
      setMessage({ tone: 'error', text: 'Enter a whole number of days from 1 to 3650.' });
      return;
    }
    // One key per value the seller asks for: saving the same value twice writes once.
    if (key.current?.days !== days) key.current = { days, key: newIntentKey() };
    setPending(true);
    const reply = await safely(ask, { type: 'settings.update', notCountedAfterDays: n, idempotencyKey: key.current.key });
    setPending(false);
    setMessage(reply.ok ? { tone: 'ok', text: 'Saved.' } : { tone: 'error', text: reply.message });
  }

  return (
    <section class="section" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <label class="inline">
        An MF source not counted for
        <input name="notCountedAfterDays" type="number" min={1} max={3650} step={1} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        days counts as “not managed here”
      </label>
      <button type="button" data-action="save-days" disabled={pending} onClick={() => void save()}>
        {pending ? 'Saving…' : 'Save'}
      </button>
      {message && (
        <p class={message.tone === 'ok' ? 'message' : 'field-error'} role={message.tone === 'ok' ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
