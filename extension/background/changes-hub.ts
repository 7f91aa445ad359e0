import { watchMessageSchema } from '@onhand/shared';
import type { ConnectionSettings } from '../settings/connection-settings';
import type { ChangeEvent, ServerApi } from './server-api';

/** The parts of a `runtime.Port` the hub uses (a fake in tests). */
export interface TabPort {
  postMessage(message: unknown): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

export interface ChangesHubDeps {
  loadSettings(): Promise<ConnectionSettings>;
  createApi(settings: ConnectionSettings): ServerApi;
  /** After the subscription failed for good, try again this much later. */
  retryAfterMs?: number;
  /** Events arriving within this window reach a tab as one "changed". */
  coalesceMs?: number;
  /**
   * Told whether the hub holds a subscription: while it does, the worker
   * must stay up for the stream to keep flowing.
   */
  onActiveChange?(active: boolean): void;
}

interface Watcher {
  /** Told about every change (the popup), not only the watched ones. */
  everything: boolean;
  skus: Set<string>;
  listingIds: Set<string>;
  pending: ReturnType<typeof setTimeout> | null;
}

/**
 * Holds ONE subscription to `changes.subscribe` for all portal tabs, open
 * while at least one tab listens. Each tab says which products and listings
 * it shows; an event touching one of them (or naming neither) tells that tab
 * "changed", and the tab looks its rows up again. When the subscription
 * (re)starts, every tab is told, since changes may have been missed.
 */
export class ChangesHub {
  private readonly watchers = new Map<TabPort, Watcher>();
  /** Listeners for every change (the toolbar badge); they keep the subscription open too. */
  private readonly listeners = new Set<(event: ChangeEvent | null) => void>();
  private stop: (() => void) | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private lastEventId: string | null = null;
  private generation = 0;
  /** Set after a failure: the next start may have missed changes. */
  private missed = false;
  private active = false;

  constructor(private readonly deps: ChangesHubDeps) {}

  /** A content script's port, or the popup's with `everything` (the caller has checked the sender). */
  add(port: TabPort, options: { everything?: boolean } = {}): void {
    const watcher: Watcher = { everything: options.everything ?? false, skus: new Set(), listingIds: new Set(), pending: null };
    this.watchers.set(port, watcher);
    port.onMessage.addListener((raw) => {
      const parsed = watchMessageSchema.safeParse(raw);
      if (!parsed.success) return; // ignore anything that is not a watch list
      watcher.skus = new Set(parsed.data.skus);
      watcher.listingIds = new Set(parsed.data.listingIds);
    });
    port.onDisconnect.addListener(() => {
      if (watcher.pending) clearTimeout(watcher.pending);
      this.watchers.delete(port);
      if (this.idle) this.close();
    });
    if (!this.stop && !this.retry) void this.open();
  }

  /**
   * Calls `listener` on every change of the tenant, and with null whenever
   * the subscription (re)starts or fails (anything may have changed). Keeps
   * the subscription open until the returned function is called.
   */
  listen(listener: (event: ChangeEvent | null) => void): () => void {
    this.listeners.add(listener);
    if (!this.stop && !this.retry) void this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.idle) this.close();
    };
  }

  private get idle(): boolean {
    return this.watchers.size === 0 && this.listeners.size === 0;
  }

  /** Settings changed (another server or token): start over. */
  restart(): void {
    this.close();
    this.lastEventId = null;
    if (!this.idle) void this.open();
  }

  get listening(): boolean {
    return this.stop !== null;
  }

  private updateActive(): void {
    // A retry after a refusal (say, a revoked token) does not keep the worker up: its next start retries.
    const active = this.stop !== null;
    if (active === this.active) return;
    this.active = active;
    this.deps.onActiveChange?.(active);
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    const settings = await this.deps.loadSettings();
    if (generation !== this.generation || this.idle) return;
    if (!settings.token) {
      this.updateActive(); // nothing to subscribe to; a settings change restarts
      return;
    }
    this.stop = this.deps.createApi(settings).subscribeChanges(this.lastEventId, {
      onStarted: () => {
        this.tellListeners(null);
        if (this.missed) this.notifyAll();
        this.missed = false;
      },
      onEvent: (event) => this.dispatch(event),
      onConnectionLost: () => {
        if (generation !== this.generation || this.missed) return;
        // Tabs look up now: the lookup fails too, so their badges turn stale with the reason.
        this.missed = true;
        this.notifyAll();
      },
      onError: () => {
        if (generation !== this.generation) return;
        this.stop = null;
        this.missed = true;
        this.tellListeners(null);
        this.notifyAll(); // tabs look up again and show the connection problem, if any
        this.retry = setTimeout(() => {
          this.retry = null;
          if (!this.idle) void this.open();
          else this.updateActive();
        }, this.deps.retryAfterMs ?? 15_000);
        this.updateActive();
      },
    });
    this.updateActive();
  }

  private close(): void {
    this.generation++;
    this.stop?.();
    this.stop = null;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.updateActive();
  }

  private dispatch(event: ChangeEvent): void {
    this.lastEventId = event.id;
    this.tellListeners(event);
    for (const [port, watcher] of this.watchers) {
      const skus = [...(event.sku !== undefined ? [event.sku] : []), ...(event.skus ?? [])];
      const named = skus.length > 0 || event.listingId !== undefined;
      const touches = skus.some((sku) => watcher.skus.has(sku)) || (event.listingId !== undefined && watcher.listingIds.has(event.listingId));
      if (watcher.everything || !named || touches) this.notify(port, watcher);
    }
  }

  private tellListeners(event: ChangeEvent | null): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // one listener's failure must not stop the others
      }
    }
  }

  private notifyAll(): void {
    for (const [port, watcher] of this.watchers) this.notify(port, watcher);
  }

  private notify(port: TabPort, watcher: Watcher): void {
    if (watcher.pending) return;
    watcher.pending = setTimeout(() => {
      watcher.pending = null;
      try {
        port.postMessage({ type: 'changed' });
      } catch {
        this.watchers.delete(port); // the tab is gone
      }
    }, this.deps.coalesceMs ?? 100);
  }
}
