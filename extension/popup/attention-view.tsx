import { useRef, useState } from 'preact/hooks';
import type { AttentionNegative, Cause, SearchAttentionOutput } from '@onhand/shared';
import { remedyRequest } from '../content/remedy-requests';
import { newIntentKey, safely, type Ask } from './ask';
import { shortTime } from './format';

type Remedy = Cause['remedies'][number];

/**
 * One idempotency key per remedy the seller sees: clicking it twice (or
 * retrying after a failure) is the same intent and writes once.
 */
function useIntentKeys(): (id: string) => string {
  const keys = useRef(new Map<string, string>());
  return (id) => {
    let key = keys.current.get(id);
    if (!key) keys.current.set(id, (key = newIntentKey()));
    return key;
  };
}

function RemedyButton({ ask, remedy, intentKey, onDone }: { ask: Ask; remedy: Remedy; intentKey: string; onDone(): void }) {
  const [quantity, setQuantity] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const needsQuantity = remedy.action === 'SET_QUANTITY';

  async function apply(): Promise<void> {
    const typed = needsQuantity && quantity.trim() !== '' ? Number(quantity) : undefined;
    const request = remedyRequest(remedy, intentKey, typed);
    if (!request) {
      setError(needsQuantity ? 'Enter a whole number, 0 or more.' : 'onhand cannot do this from here.');
      return;
    }
    setPending(true);
    setError(null);
    const reply = await safely(ask, request);
    setPending(false);
    if (reply.ok) onDone();
    else setError(reply.message);
  }

  return (
    <div class="remedy">
      {needsQuantity && (
        <input
          name="remedyQuantity"
          type="number"
          min={0}
          step={1}
          aria-label="New quantity"
          value={quantity}
          onInput={(e) => setQuantity(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void apply();
          }}
        />
      )}
      <button type="button" data-remedy={remedy.action} disabled={pending} onClick={() => void apply()}>
        {pending ? 'Working…' : remedy.label}
      </button>
      {error && (
        <span class="problem" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function NegativeItem({ ask, negative, keyFor, onDone }: { ask: Ask; negative: AttentionNegative; keyFor(id: string): string; onDone(): void }) {
  const [causes, setCauses] = useState(negative.causes ?? null);
  const [error, setError] = useState<string | null>(null);
  async function explain(): Promise<void> {
    const reply = await safely(ask, { type: 'negatives.explain', sku: negative.sku, sourceId: negative.sourceId });
    if (reply.ok) setCauses(reply.data.causes);
    else setError(reply.message);
  }
  return (
    <li class="attention-item" data-kind="negative" data-sku={negative.sku} data-source={negative.sourceName}>
      <div class="result-head">
        <strong>{negative.sku}</strong>
        <span class="qty negative" data-part="available">
          {negative.sourceName} {negative.available}
        </span>
      </div>
      {negative.title && <div class="title">{negative.title}</div>}
      {negative.since && <div class="muted">negative since {shortTime(negative.since)}</div>}
      {causes === null ? (
        <button type="button" class="link" data-action="explain" onClick={() => void explain()}>
          Why?
        </button>
      ) : (
        <ul class="causes">
          {causes.map((cause, i) => (
            <li key={i} data-code={cause.code}>
              <p data-part="cause">{cause.message}</p>
              {cause.remedies.map((remedy, j) => (
                <RemedyButton key={j} ask={ask} remedy={remedy} intentKey={keyFor(`${negative.sku}|${negative.sourceId}|${i}|${j}|${JSON.stringify(remedy.params)}`)} onDone={onDone} />
              ))}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="problem" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** Everything that needs the seller, each with what fixes it. */
export function AttentionView({ ask, attention, onChanged }: { ask: Ask; attention: SearchAttentionOutput; onChanged(): void }) {
  const keyFor = useIntentKeys();
  const { counts } = attention;
  if (counts.total === 0) {
    return (
      <section class="attention" aria-label="Needs attention" data-count="0">
        <p class="ok">Nothing needs attention: no negatives, no untracked listings, no failed pushes, no drift.</p>
      </section>
    );
  }
  return (
    <section class="attention" aria-label="Needs attention" data-count={counts.total}>
      <p class="muted" data-part="counts">
        {counts.negatives} negative · {counts.untracked} untracked · {counts.failedPushes} failed push{counts.failedPushes === 1 ? '' : 'es'} · {counts.drifting} drifting
      </p>
      <ul class="attention-list">
        {attention.negatives.map((n) => (
          <NegativeItem key={`${n.sku}|${n.sourceId}`} ask={ask} negative={n} keyFor={keyFor} onDone={onChanged} />
        ))}
        {attention.untracked.map((l) => (
          <li key={l.listingId} class="attention-item" data-kind="untracked" data-listing={l.listingId}>
            <div class="result-head">
              <strong>{l.channelSku ?? l.externalId}</strong>
              <span class="muted">{l.channelName}</span>
            </div>
            {l.title && <div class="title">{l.title}</div>}
            <div class="muted">Untracked: onhand does not manage this listing{l.externalId && l.channelSku ? ` (${l.externalId})` : ''}.</div>
            <RemedyButton ask={ask} remedy={{ action: 'IMPORT_LISTING', params: { listingId: l.listingId }, label: 'Import' }} intentKey={keyFor(`import|${l.listingId}`)} onDone={onChanged} />
          </li>
        ))}
        {attention.failedPushes.map((p) => (
          <li key={p.listingId} class="attention-item" data-kind="failed-push" data-listing={p.listingId}>
            <div class="result-head">
              <strong>{p.sku}</strong>
              <span class="muted">{p.channelName}</span>
            </div>
            <div class="problem">
              Publishing {p.desired} failed after {p.attempts} attempt{p.attempts === 1 ? '' : 's'}
              {p.error ? `: ${p.error}` : '.'}
            </div>
          </li>
        ))}
        {attention.drifting.map((d) => (
          <li key={d.listingId} class="attention-item" data-kind="drift" data-listing={d.listingId} data-sku={d.sku}>
            <div class="result-head">
              <strong>{d.sku}</strong>
              <span class="muted">{d.channelName}</span>
            </div>
            <div class="muted">{[d.channelSku, d.externalId].filter(Boolean).join(' · ')}</div>
            <div class="problem" data-part="drift">
              The page showed {d.displayed}, onhand publishes {d.published} (seen {shortTime(d.seenAt)}).
            </div>
          </li>
        ))}
      </ul>
      {counts.untracked > attention.untracked.length && <p class="muted">…and {counts.untracked - attention.untracked.length} more untracked listings.</p>}
      {counts.drifting > attention.drifting.length && <p class="muted">…and {counts.drifting - attention.drifting.length} more drifting listings.</p>}
    </section>
  );
}
