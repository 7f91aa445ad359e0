/**
 * Styles of the badge, injected into its shadow root so the portal's CSS
 * cannot reach in and ours cannot leak out. Preact 11 does not add `px` to
 * numeric style values, so sizes are written out here.
 */
export const badgeStyles = `
:host { all: initial; display: inline-block; margin: 2px 0 2px 6px; vertical-align: middle; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; flex-wrap: wrap;
  font: 500 12px/18px system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  color: #0f1111; background: #eef6f3; border: 1px solid #9ccab8; border-radius: 9px;
  padding: 0 8px; white-space: nowrap;
}
.badge[data-tone="negative"] { background: #fff1f0; border-color: #e8a09a; }
.badge[data-tone="muted"] { background: #f3f3f3; border-color: #cfcfcf; color: #565959; }
.brand { font-weight: 700; color: #067d62; }
.separator { color: #8d9096; white-space: pre; }
.negative { color: #c40000; font-weight: 700; }
.total { font-weight: 700; }
.note { font-style: italic; }
`;
