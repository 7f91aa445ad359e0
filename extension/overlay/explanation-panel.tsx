import { useEffect, useState } from 'preact/hooks';
import type { ActionResult, BadgeActions, ExplainResult, Remedy } from './badge-actions';
import type { BadgeSource } from './badge-view';

/**
 * "Why is MF -2?": the server's explanation of a negative (source, SKU), one
 * cause per line, each with the remedies that fit it. Opens below the badge
 * without moving the page. Setting a quantity asks for the number first.
 */
export function ExplanationPanel(props: { sku: string; source: BadgeSource; actions: BadgeActions; onClose(): void }) {
  const { sku, source, actions, onClose } = props;
  const [explanation, setExplanation] = useState<ExplainResult | null>(null);
  const [outcome, setOutcome] = useState<{ remedy: Remedy; result: ActionResult } | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<Remedy | null>(null);
  const [quantity, setQuantity] = useState('');

  useEffect(() => {
    let live = true;
    void actions.explain(sku, source.id).then((result) => live && setExplanation(result));
    return () => {
      live = false;
    };
  }, [sku, source.id]);

  async function apply(remedy: Remedy, typed?: number): Promise<void> {
    setBusy(true);
    const result = await actions.applyRemedy(remedy, typed);
    setBusy(false);
    setOutcome({ remedy, result });
    if (result.ok) setAsking(null);
  }

  function onRemedy(remedy: Remedy): void {
    if (remedy.action === 'SET_QUANTITY') {
      setAsking(remedy);
      return;
    }
    void apply(remedy);
  }

  const typed = Number.parseInt(quantity, 10);
  const validQuantity = /^\d+$/.test(quantity.trim()) && Number.isSafeInteger(typed);

  return (
    <span class="panel" role="dialog" aria-label={`Why ${source.name} is negative for ${sku}`} data-part="explanation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <span class="panel-head">
        <strong>
          {source.name} {source.available} for {sku}
        </strong>
        <button type="button" class="action" data-action="close" onClick={onClose} aria-label="Close">
          ×
        </button>
      </span>
      {!explanation && <span class="panel-line">Asking onhand why…</span>}
      {explanation && !explanation.ok && (
        <span class="panel-line error" role="alert">
          {explanation.message}
        </span>
      )}
      {explanation?.ok && explanation.data.causes.length === 0 && <span class="panel-line">onhand found no cause to explain.</span>}
      {explanation?.ok &&
        explanation.data.causes.map((cause, index) => (
          <span key={index} class="cause" data-cause={cause.code}>
            <span class="panel-line">{cause.message}</span>
            <span class="remedies">
              {cause.remedies.map((remedy, r) => (
                <button key={r} type="button" class="action primary" data-remedy={remedy.action} disabled={busy} onClick={() => onRemedy(remedy)}>
                  {remedy.label}
                </button>
              ))}
            </span>
          </span>
        ))}
      {asking && (
        <form
          class="ask"
          data-part="ask-quantity"
          onSubmit={(event) => {
            event.preventDefault();
            if (validQuantity) void apply(asking, typed);
          }}
        >
          <label>
            New on-hand quantity at {source.name}{' '}
            <input name="quantity" type="number" min={0} step={1} required value={quantity} onInput={(e) => setQuantity(e.currentTarget.value)} />
          </label>{' '}
          <button type="submit" class="action primary" disabled={busy || !validQuantity}>
            Set
          </button>
        </form>
      )}
      {outcome && (
        <span class={outcome.result.ok ? 'panel-line done' : 'panel-line error'} role="status" data-part="outcome">
          {outcome.result.ok ? `Done: ${outcome.remedy.label}` : outcome.result.message}
        </span>
      )}
    </span>
  );
}
