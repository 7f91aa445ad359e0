import type { CatalogResult } from '@onhand/shared';

/** A search result's warnings, one line each (nothing when there are none). */
export function WarningList({ warnings }: { warnings: CatalogResult['warnings'] }) {
  if (warnings.length === 0) return null;
  return (
    <ul class="warnings" data-part="warnings">
      {warnings.map((w, i) => (
        <li key={i} data-warning={w.code}>
          {w.message}
        </li>
      ))}
    </ul>
  );
}
