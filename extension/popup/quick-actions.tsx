import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdjustReason, SourceQuantity } from '@onhand/shared';
import { newIntentKey, safely, type Ask } from './ask';
import { signed } from './format';

const reasons: readonly AdjustReason[] = ['received', 'damaged', 'lost', 'found', 'returned', 'correction'];

type Mode = { kind: 'set'; sourceId: string; onHand: string } | { kind: 'adjust'; sourceId: string; delta: string; reason: AdjustReason; note: string };

/**
 * Set a source's quantity, or adjust it with a reason, after a confirmation.
 * The idempotency key belongs to the intent: made when the form opens, new
 * when the seller changes what they ask for, and the same for every click on
 * Confirm, so a double click writes one ledger entry.
 */
export function QuickActions({ ask, sku, sources, onDone }: { ask: Ask; sku: string; sources: readonly SourceQuantity[]; onDone(): void }) {
  const home = sources.find((s) => s.kind === 'merchant') ?? sources[0];
  const [mode, setMode] = useState<Mode | null>(null);
  const [key, setKey] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (reviewing) confirmButton.current?.focus();
  }, [reviewing]);
  if (!home) return null;

  const open = (next: Mode) => {
    setMode(next);
    setKey(newIntentKey());
    setReviewing(false);
    setMessage(null);
  };
  const change = (update: (current: Mode) => Mode) => {
    setMode((current) => current && update(current));
    setKey(newIntentKey()); // another request is another intent
    setReviewing(false);
  };
  const sourceOf = (id: string) => sources.find((s) => s.sourceId === id) ?? home;

  function problem(current: Mode): string | null {
    if (current.kind === 'set') {
      const n = Number(current.onHand);
      return current.onHand.trim() === '' || !Number.isSafeInteger(n) || n < 0 ? 'Enter a whole number, 0 or more.' : null;
    }
    const d = Number(current.delta);
    return current.delta.trim() === '' || !Number.isSafeInteger(d) || d === 0 ? 'Enter a whole number other than 0 (negative takes away).' : null;
  }

  function summary(current: Mode): string {
    const source = sourceOf(current.sourceId);
    if (current.kind === 'set') return `Set ${source.sourceName} on hand of ${sku} from ${source.onHand} to ${Number(current.onHand)}?`;
    return `Adjust ${source.sourceName} on hand of ${sku} by ${signed(Number(current.delta))} (${current.reason})?`;
  }

  async function confirm(current: Mode): Promise<void> {
    setPending(true);
    const request =
      current.kind === 'set'
        ? ({ type: 'inventory.setQuantity', sku, sourceId: current.sourceId, onHand: Number(current.onHand), idempotencyKey: key } as const)
        : ({
            type: 'inventory.adjust',
            sku,
            sourceId: current.sourceId,
            delta: Number(current.delta),
            reason: current.reason,
            idempotencyKey: key,
            ...(current.note.trim() ? { note: current.note.trim() } : {}),
          } as const);
    const reply = await safely(ask, request);
    setPending(false);
    if (reply.ok) {
      setMode(null);
      setMessage({ tone: 'ok', text: 'Done.' });
      onDone();
    } else {
      setMessage({ tone: 'error', text: reply.message });
    }
  }

  const sourceSelect = (current: Mode) => (
    <label>
      Source
      <select name="source" value={current.sourceId} onChange={(e) => {
          const sourceId = e.currentTarget.value;
          change((m) => ({ ...m, sourceId }));
        }}>
        {sources.map((s) => (
          <option key={s.sourceId} value={s.sourceId}>
            {s.sourceName}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section class="actions" aria-label="Quick actions">
      <div class="action-buttons">
        <button type="button" data-action="open-set" onClick={() => open({ kind: 'set', sourceId: home.sourceId, onHand: String(home.onHand) })}>
          Set quantity…
        </button>
        <button type="button" class="secondary" data-action="open-adjust" onClick={() => open({ kind: 'adjust', sourceId: home.sourceId, delta: '', reason: 'received', note: '' })}>
          Adjust…
        </button>
      </div>
      {mode && (
        <form
          class="action-form"
          data-form={mode.kind}
          onSubmit={(event) => {
            event.preventDefault();
            if (!problem(mode)) setReviewing(true);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setMode(null);
            }
          }}
        >
          {sourceSelect(mode)}
          {mode.kind === 'set' ? (
            <label>
              On hand
              <input name="onHand" type="number" min={0} step={1} required value={mode.onHand} onInput={(e) => {
                  const onHand = e.currentTarget.value;
                  change((m) => (m.kind === 'set' ? { ...m, onHand } : m));
                }} />
            </label>
          ) : (
            <>
              <label>
                Change
                <input name="delta" type="number" step={1} required placeholder="+5 or -2" value={mode.delta} onInput={(e) => {
                    const delta = e.currentTarget.value;
                    change((m) => (m.kind === 'adjust' ? { ...m, delta } : m));
                  }} />
              </label>
              <label>
                Reason
                <select name="reason" value={mode.reason} onChange={(e) => {
                    const reason = e.currentTarget.value as AdjustReason;
                    change((m) => (m.kind === 'adjust' ? { ...m, reason } : m));
                  }}>
                  {reasons.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Note
                <input name="note" maxLength={1000} value={mode.note} onInput={(e) => {
                    const note = e.currentTarget.value;
                    change((m) => (m.kind === 'adjust' ? { ...m, note } : m));
                  }} />
              </label>
            </>
          )}
          {problem(mode) && <p class="field-error">{problem(mode)}</p>}
          {!reviewing ? (
            <button type="submit" data-action="review" disabled={problem(mode) !== null}>
              Review
            </button>
          ) : (
            <div class="confirm" role="alertdialog" aria-label="Confirm">
              <p data-part="confirm-text">{summary(mode)}</p>
              <button type="button" data-action="confirm" disabled={pending} onClick={() => void confirm(mode)} ref={confirmButton}>
                {pending ? 'Saving…' : 'Confirm'}
              </button>
              <button type="button" class="secondary" data-action="cancel" onClick={() => setMode(null)}>
                Cancel
              </button>
            </div>
          )}
        </form>
      )}
      {message && (
        <p class={message.tone === 'ok' ? 'ok' : 'problem'} role={message.tone === 'ok' ? 'status' : 'alert'} data-part="action-result">
          {message.text}
        </p>
      )}
    </section>
  );
}
