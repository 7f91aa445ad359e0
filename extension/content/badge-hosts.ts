import { h, render } from 'preact';
import type { BadgeActions } from '../overlay/badge-actions';
import { badgeStyles, summaryStyles } from '../overlay/badge-styles';
import type { BadgeView, PageSummary } from '../overlay/badge-view';
import { RowBadge } from '../overlay/row-badge';
import { SummaryBar, type JumpKind } from '../overlay/summary-bar';

/** Attribute names other tools and tests rely on (api.md "Extension test hooks"). */
export const rowAttribute = 'data-onhand-row';
export const stateAttribute = 'data-onhand-state';
export const summaryAttribute = 'data-onhand-summary';

/** A custom-named element with an open shadow root holding our styles and a Preact mount point. */
function shadowHost(doc: Document, tag: string, styles: string): { element: HTMLElement; mountPoint: HTMLElement } {
  const element = doc.createElement(tag);
  const shadow = element.attachShadow({ mode: 'open' });
  const style = doc.createElement('style');
  style.textContent = styles;
  const mountPoint = doc.createElement('span');
  shadow.append(style, mountPoint);
  return { element, mountPoint };
}

/**
 * One badge host per row, appended to the row's anchor. The portal's CSS
 * cannot style inside it, and the Preact badge inside only ever receives data.
 */
export class BadgeHost {
  readonly element: HTMLElement;
  private readonly mountPoint: HTMLElement;

  constructor(
    readonly key: string,
    readonly anchor: Element,
  ) {
    const doc = anchor.ownerDocument;
    ({ element: this.element, mountPoint: this.mountPoint } = shadowHost(doc, 'onhand-badge', badgeStyles));
    this.element.setAttribute(rowAttribute, key);
    anchor.append(this.element);
  }

  /** Still where we put it: the page has not re-rendered the row away. */
  isAttached(anchor: Element): boolean {
    return this.element.isConnected && this.anchor === anchor && this.element.parentElement === anchor;
  }

  show(view: BadgeView, actions: BadgeActions): void {
    const states = view.states.join(' ');
    if (this.element.getAttribute(stateAttribute) !== states) this.element.setAttribute(stateAttribute, states);
    render(h(RowBadge, { view, actions }), this.mountPoint);
  }

  /** Brings the row into view and puts the keyboard on the badge's first control. */
  reveal(): void {
    this.element.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    const control = this.element.shadowRoot?.querySelector<HTMLElement>('button');
    control?.focus({ preventScroll: true });
  }

  remove(): void {
    render(null, this.mountPoint);
    this.element.remove();
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
