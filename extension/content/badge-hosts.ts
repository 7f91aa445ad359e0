import { Component, createPortal, Fragment, h, render, type ComponentChild } from 'preact';
import type { BadgeActions } from '../overlay/badge-actions';
import { badgeStyles, summaryStyles } from '../overlay/badge-styles';
import type { BadgeView, PageSummary } from '../overlay/badge-view';
import { RowBadge } from '../overlay/row-badge';
import { SummaryBar, type JumpKind } from '../overlay/summary-bar';

/** Attribute names other tools and tests rely on (api.md "Extension test hooks"). */
export const rowAttribute = 'data-onhand-row';
export const stateAttribute = 'data-onhand-state';
export const summaryAttribute = 'data-onhand-summary';

/**
 * One constructed stylesheet per document and text, adopted by every shadow
 * root: 500 badges share one parsed sheet instead of parsing 500 <style>s.
 */
const sharedSheets = new WeakMap<Document, Map<string, CSSStyleSheet>>();

function adoptStyles(doc: Document, shadow: ShadowRoot, styles: string): boolean {
  try {
    // A constructed sheet belongs to the document it was made for; ours is the content script's.
    if (doc !== globalThis.document || typeof CSSStyleSheet === 'undefined' || !('adoptedStyleSheets' in shadow)) return false;
    let byText = sharedSheets.get(doc);
    if (!byText) sharedSheets.set(doc, (byText = new Map()));
    let sheet = byText.get(styles);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
      byText.set(styles, sheet);
    }
    shadow.adoptedStyleSheets = [sheet];
    return true;
  } catch {
    return false; // a browser without constructable sheets in content scripts: a <style> does the same
  }
}

/** A custom-named element with an open shadow root holding our styles and a Preact mount point. */
function shadowHost(doc: Document, tag: string, styles: string): { element: HTMLElement; mountPoint: HTMLElement } {
  const element = doc.createElement(tag);
  const shadow = element.attachShadow({ mode: 'open' });
  if (!adoptStyles(doc, shadow, styles)) {
    const style = doc.createElement('style');
    style.textContent = styles;
    shadow.append(style);
  }
  const mountPoint = doc.createElement('span');
  shadow.append(mountPoint);
  return { element, mountPoint };
}

let hostCount = 0;
/** Host elements this content script made: a copy the page made of one (with its row) is not among them. */
const ownHostElements = new WeakSet<Element>();

/**
 * One badge host per row, appended to the row's anchor. The portal's CSS
 * cannot style inside it, and the Preact badge inside only ever receives
 * data. Its content is drawn by the page's BadgeLayer; a new host is filled
 * before it is attached, so the page takes one insertion per row.
 */
export class BadgeHost {
  readonly element: HTMLElement;
  readonly mountPoint: HTMLElement;
  /** Unique per host: a row re-rendered by the page gets a new host and a fresh badge. */
  readonly id = `h${++hostCount}`;

  constructor(
    readonly key: string,
    readonly anchor: Element,
  ) {
    const doc = anchor.ownerDocument;
    ({ element: this.element, mountPoint: this.mountPoint } = shadowHost(doc, 'onhand-badge', badgeStyles));
    this.element.setAttribute(rowAttribute, key);
    ownHostElements.add(this.element);
  }

  attach(): void {
    if (this.element.parentElement === this.anchor) return;
    // A page that copies its rows (cloneNode) copies our host too, as an
    // empty element without its shadow root: such copies go.
    for (const child of [...this.anchor.children]) {
      if (child.hasAttribute(rowAttribute) && !ownHostElements.has(child)) child.remove();
    }
    this.anchor.append(this.element);
  }

  /** Still where we put it: the page has not re-rendered the row away. */
  isAttached(anchor: Element): boolean {
    return this.element.isConnected && this.anchor === anchor && this.element.parentElement === anchor;
  }

  setStates(view: BadgeView): void {
    const states = view.states.join(' ');
    if (this.element.getAttribute(stateAttribute) !== states) this.element.setAttribute(stateAttribute, states);
  }

  /** Brings the row into view and puts the keyboard on the badge's first control. */
  reveal(): void {
    this.element.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    const control = this.element.shadowRoot?.querySelector<HTMLElement>('button');
    control?.focus({ preventScroll: true });
  }

  /** Takes the host off the page; the layer's next render unmounts its badge. */
  detach(): void {
    this.element.remove();
  }
}

interface SlotProps {
  view: BadgeView;
  /** The view as text: an unchanged badge is not diffed again. */
  viewKey: string;
  actions: BadgeActions;
  mountPoint: HTMLElement;
}

/** One badge portalled into its host's shadow root; re-renders only when its view changed. */
class BadgeSlot extends Component<SlotProps> {
  override shouldComponentUpdate(next: SlotProps): boolean {
    return next.viewKey !== this.props.viewKey || next.actions !== this.props.actions || next.mountPoint !== this.props.mountPoint;
  }

  override render(): ComponentChild {
    return createPortal(h(RowBadge, { view: this.props.view, actions: this.props.actions }), this.props.mountPoint);
  }
}

/**
 * Every badge of the page under one Preact root (kept off the page), each
 * portalled into its own host: one render pass for a whole page instead of
 * one root per row.
 */
export class BadgeLayer {
  private readonly root: HTMLElement;

  constructor(doc: Document) {
    this.root = doc.createElement('onhand-layer');
  }

  render(badges: readonly { host: BadgeHost; view: BadgeView }[], actions: BadgeActions): void {
    render(
      h(
        Fragment,
        null,
        badges.map(({ host, view }) => h(BadgeSlot, { key: host.id, view, viewKey: JSON.stringify(view), actions, mountPoint: host.mountPoint })),
      ),
      this.root,
    );
  }

  clear(): void {
    render(null, this.root);
  }
}

/**
 * The page summary: before the element the adapter names (usually the
 * listings table), or in a fixed corner when the adapter names none.
 */
export class SummaryHost {
  readonly element: HTMLElement;
  private readonly mountPoint: HTMLElement;

  constructor(private readonly doc: Document) {
    ({ element: this.element, mountPoint: this.mountPoint } = shadowHost(doc, 'onhand-summary', summaryStyles));
    this.element.setAttribute(summaryAttribute, '');
  }

  /** Puts the bar before `anchor` (or floating), unless it is there already. */
  place(anchor: Element | null): void {
    if (anchor?.parentNode) {
      if (this.element.nextElementSibling !== anchor) anchor.parentNode.insertBefore(this.element, anchor);
      this.element.removeAttribute('data-floating');
    } else if (this.element.parentNode !== this.doc.body) {
      this.element.setAttribute('data-floating', '');
      this.doc.body.append(this.element);
    }
  }

  show(summary: PageSummary, onJump: (kind: JumpKind) => void): void {
    render(h(SummaryBar, { summary, onJump }), this.mountPoint);
  }

  remove(): void {
    render(null, this.mountPoint);
    this.element.remove();
  }
}

/** True for nodes the overlay itself added, so our own writes do not trigger a re-scan. */
export function isOverlayNode(node: Node): boolean {
  return node instanceof Element && (node.hasAttribute(rowAttribute) || node.hasAttribute(summaryAttribute));
}
