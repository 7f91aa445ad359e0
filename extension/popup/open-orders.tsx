import { useEffect, useRef, useState } from 'preact/hooks';
import type { Failure, Order, OrderLine, SkuOrders, SourceQuantity } from '@onhand/shared';
import { newIntentKey, safely, type Ask } from './ask';
import { shortTime } from './format';
import { isFallback, reasonInWords, skipInWords } from './routing-words';

/** Fallbacks where a fulfillment center was expected: sending the line there is the fix. */
const sendable = new Set<OrderLine['reason']>(['AUTO_FULFILL_OFF', 'FULFILLMENT_CENTER_CANNOT_FILL']);

function SendToFulfillmentCenter({ ask, order, line, onDone }: { ask: Ask; order: Order; line: OrderLine; onDone(): void }) {
  // One key for this line's intent: a double click or a retry sends once.
  const intentKey = useRef(newIntentKey());
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function send(): Promise<void> {
    setPending(true);
    setError(null);
    const reply = await safely(ask, { type: 'orders.sendToFulfillmentCenter', orderId: order.orderId, lineIds: [line.lineId], idempotencyKey: intentKey.current });
    setPending(false);
    if (reply.ok) onDone();
    else setError(reply.message);
  }
  return (
    <div class="remedy">
      <button type="button" class="secondary" data-action="send-to-fc" disabled={pending} onClick={() => void send()}>
        {pending ? 'Working…' : 'Send to fulfillment center'}
      </button>
      {error && (
        <span class="problem" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function OrderLineItem({ ask, order, line, channelName, sourceName, onDone }: { ask: Ask; order: Order; line: OrderLine; channelName: string; sourceName(id: string | undefined): string; onDone(): void }) {
  const source = sourceName(line.sourceId);
  return (
    <li class="order" data-order={order.orderId} data-line={line.lineId} data-reason={line.reason} data-state={line.state}>
      <div class="result-head">
        <strong data-part="order-id">{order.externalOrderId}</strong>
        <span class="muted">
          {channelName} · {shortTime(order.placedAt)}
        </span>
      </div>
      <div data-part="allocation">
        {line.quantity} from <strong>{line.sourceId ? source : '—'}</strong>
        {line.state !== 'allocated' && <span class="muted"> · {line.state}</span>}
        {isFallback(line.reason) && <span class="fallback"> · fallback</span>}
      </div>
      <p class="reason" data-part="reason" title={line.reason}>
        {reasonInWords(line.reason, source)}
      </p>
      {line.trace.length > 0 && (
        <details data-part="trace">
          <summary>Routing trace: each source it passed over</summary>
          <ul>
            {line.trace.map((t, i) => (
              <li key={i} data-source={sourceName(t.sourceId)} data-skipped={t.skipped}>
                {sourceName(t.sourceId)}: {skipInWords(t.skipped, order.shipTo.country)}
              </li>
            ))}
          </ul>
        </details>
      )}
      {line.state === 'allocated' && sendable.has(line.reason) && <SendToFulfillmentCenter ask={ask} order={order} line={line} onDone={onDone} />}
    </li>
  );
}

/**
 * A SKU's open orders, newest first: per line for this SKU, the order, its
 * channel, the quantity, where routing sent it and why (the reason in the
 * design's words), and — on demand — why every other source was passed over.
 */
export function OpenOrders({ ask, sku, sources, refreshTick, onChanged }: { ask: Ask; sku: string; sources: readonly SourceQuantity[]; refreshTick: number; onChanged(): void }) {
  const [orders, setOrders] = useState<SkuOrders | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [reloads, setReloads] = useState(0);
  useEffect(() => {
    let current = true;
    void (async () => {
      const reply = await safely(ask, { type: 'orders.openForSku', sku });
      if (!current) return;
      if (reply.ok) {
        setOrders(reply.data);
        setFailure(null);
      } else setFailure(reply);
    })();
    return () => {
      current = false;
    };
  }, [sku, refreshTick, reloads]);

  const sourceName = (id: string | undefined) => sources.find((s) => s.sourceId === id)?.sourceName ?? id ?? '—';
  const channelName = (id: string) => orders?.channels.find((c) => c.channelId === id)?.name ?? id;
  const lines = (orders?.orders ?? []).flatMap((order) => order.lines.filter((l) => l.sku === sku).map((line) => ({ order, line })));
  return (
    <section aria-label="Open orders" data-part="open-orders">
      <h2>Open orders</h2>
      {failure && (
        <p class="problem" role="alert" data-problem={failure.problem}>
          {failure.message}
        </p>
      )}
      {orders === null ? (
        !failure && <p class="muted">Loading orders…</p>
      ) : lines.length === 0 ? (
        <p class="muted" data-part="no-orders">
          No open orders for {sku}.
        </p>
      ) : (
        <ul class="orders">
          {lines.map(({ order, line }) => (
            <OrderLineItem
              key={line.lineId}
              ask={ask}
              order={order}
              line={line}
              channelName={channelName(order.channelId)}
              sourceName={sourceName}
              onDone={() => {
                setReloads((n) => n + 1);
                onChanged();
              }}
            />
          ))}
        </ul>
      )}
      {orders?.more && <p class="muted">Showing the {orders.orders.length} newest open orders.</p>}
    </section>
  );
}
