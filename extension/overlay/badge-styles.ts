/**
 * Styles of the badge and the summary, injected into their shadow roots so
 * the portal's CSS cannot reach in and ours cannot leak out. Preact 11 does
 * not add `px` to numeric style values, so sizes are written out here.
 * Neutral colours and system fonts, so it sits quietly on every portal.
 */
const shared = `
.brand { font-weight: 700; color: #067d62; }
.separator { color: #8d9096; white-space: pre; }
.negative { color: #b12704; font-weight: 700; }
button { font: inherit; cursor: pointer; border-radius: 6px; }
button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }
button:disabled { opacity: .6; cursor: default; }
`;

export const badgeStyles = `
:host { all: initial; display: inline-block; position: relative; margin: 2px 0 2px 6px; vertical-align: middle; }
.badge {
  display: inline-flex; align-items: center; gap: 6px; flex-wrap: wrap; max-width: 560px;
  font: 500 12px/18px system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  color: #0f1111; background: #eef6f3; border: 1px solid #9ccab8; border-radius: 9px; padding: 0 6px;
}
.badge[data-tone="negative"] { background: #fff1f0; border-color: #e8a09a; }
.badge[data-tone="warning"] { background: #fff8e6; border-color: #e4c26b; }
.badge[data-tone="muted"] { background: #f3f3f3; border-color: #cfcfcf; color: #565959; }
${shared}
.published { font-weight: 600; }
.push[data-push="pending"] { color: #8a6d00; font-weight: 400; }
.push[data-push="failed"] { color: #b12704; }
.push[data-push="ok"] { color: #067d62; font-weight: 400; }
.warning { color: #8a4b00; }
.note { font-style: italic; color: #565959; }
.error { color: #b12704; }
.action { border: 1px solid #8d9096; background: #fff; color: #0f1111; padding: 0 6px; line-height: 16px; font-size: 12px; }
.action.primary { border-color: #067d62; background: #067d62; color: #fff; }
.action.danger { border-color: #b12704; color: #b12704; background: #fff; }
.panel {
  position: absolute; top: 100%; left: 0; z-index: 2147483000; margin-top: 4px; display: grid; gap: 6px;
  width: 340px; padding: 8px 10px; background: #fff; color: #0f1111; border: 1px solid #8d9096; border-radius: 8px;
  box-shadow: 0 4px 14px rgba(0,0,0,.18); font: 400 12px/17px system-ui, -apple-system, "Segoe UI", Arial, sans-serif; white-space: normal;
}
.panel-head { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.panel-line { display: block; }
.cause { display: grid; gap: 4px; padding-top: 4px; border-top: 1px solid #eee; }
.remedies { display: flex; flex-wrap: wrap; gap: 4px; }
.ask input { width: 80px; font: inherit; }
.done { color: #067d62; }
`;

export const summaryStyles = `
:host { all: initial; display: block; margin: 4px 0; }
:host([data-floating]) { position: fixed; left: 12px; bottom: 12px; z-index: 2147483000; margin: 0; }
.summary {
  display: inline-flex; align-items: center; gap: 6px; flex-wrap: wrap;
  font: 500 12px/20px system-ui, -apple-system, "Segoe UI", Arial, sans-serif;
  color: #0f1111; background: #f7faf9; border: 1px solid #9ccab8; border-radius: 9px; padding: 1px 8px;
}
.summary[data-tone="stale"] { background: #f3f3f3; border-color: #cfcfcf; }
${shared}
.jump { border: none; background: none; padding: 0; text-decoration: underline; color: #0b5394; }
.jump.negative { color: #b12704; }
.problem { color: #8a4b00; }
`;
