import { h, render } from 'preact';
import { badgeStyles } from '../overlay/badge-styles';
import type { BadgeView } from '../overlay/badge-view';
import { InventoryBadge } from '../overlay/inventory-badge';

/** Attribute names other tools and tests rely on (api.md "Extension test hooks"). */
export const rowAttribute = 'data-onhand-row';
export const stateAttribute = 'data-onhand-state';

/**
 * One badge host per row: a custom-named element with an open shadow root,
 * appended to the row's anchor. The portal's CSS cannot style inside it, and
 * the Preact badge inside only ever receives data.
 */
export class BadgeHost {
  readonly element: HTMLElement;
  private readonly shadow: ShadowRoot;
  private readonly mountPoint: HTMLElement;

  constructor(
    readonly key: string,
    readonly anchor: Element,
  ) {
    this.element = anchor.ownerDocument.createElement('onhand-badge');
    this.element.setAttribute(rowAttribute, key);
    this.shadow = this.element.attachShadow({ mode: 'open' });
    const style = anchor.ownerDocument.createElement('style');
    style.textContent = badgeStyles;
    this.mountPoint = anchor.ownerDocument.createElement('span');
    this.shadow.append(style, this.mountPoint);
    anchor.append(this.element);
  }

  /** Still where we put it: the page has not re-rendered the row away. */
  isAttached(anchor: Element): boolean {
    return this.element.isConnected && this.anchor === anchor && this.element.parentElement === anchor;
  }

  show(view: BadgeView): void {
    this.element.setAttribute(stateAttribute, view.states.join(' '));
    render(h(InventoryBadge, { view }), this.mountPoint);
  }

  remove(): void {
    render(null, this.mountPoint);
    this.element.remove();
  }
}

/** True for nodes the overlay itself added, so our own writes do not trigger a re-scan. */
export function isBadgeHost(node: Node): boolean {
  return node instanceof Element && node.hasAttribute(rowAttribute);
}
