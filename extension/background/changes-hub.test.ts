import { describe, expect, it, vi } from 'vitest';
import { ChangesHub, type TabPort } from './changes-hub';
import type { ChangeHandlers, ServerApi } from './server-api';

function fakePort() {
  const listeners: ((m: unknown) => void)[] = [];
  const disconnects: (() => void)[] = [];
  const port = {
    postMessage: vi.fn(),
    onMessage: { addListener: (l: (m: unknown) => void) => listeners.push(l) },
    onDisconnect: { addListener: (l: () => void) => disconnects.push(l) },
  } satisfies TabPort;
  return { port, send: (m: unknown) => listeners.forEach((l) => l(m)), disconnect: () => disconnects.forEach((d) => d()) };
}

function setup() {
  let handlers: ChangeHandlers | null = null;
  const stop = vi.fn();
  const subscribeChanges = vi.fn((_last: string | null, h: ChangeHandlers) => ((handlers = h), stop));
  const hub = new ChangesHub({
    loadSettings: async () => ({ serverUrl: 'http://127.0.0.1:1', token: 't' }),
    createApi: () => ({ subscribeChanges }) as unknown as ServerApi,
    coalesceMs: 1,
    retryAfterMs: 5,
  });
  return { hub, subscribeChanges, stop, handlers: () => handlers! };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

describe('ChangesHub', () => {
  it('keeps one subscription for all tabs and tells only the tabs an event touches', async () => {
    const { hub, subscribeChanges, handlers } = setup();
    const a = fakePort();
    const b = fakePort();
    hub.add(a.port);
    hub.add(b.port);
    await tick();
    expect(subscribeChanges).toHaveBeenCalledTimes(1);
    handlers().onStarted();
    a.send({ type: 'watch', skus: ['MUG'], listingIds: [] });
    b.send({ type: 'watch', skus: ['TEE'], listingIds: ['l7'] });
    b.send({ type: 'fetch', url: 'https://evil.example' }); // ignored

    handlers().onEvent({ id: '1', kind: 'balance', sku: 'MUG' });
    await tick();
    expect(a.port.postMessage).toHaveBeenCalledExactlyOnceWith({ type: 'changed' });
    expect(b.port.postMessage).not.toHaveBeenCalled();

    handlers().onEvent({ id: '2', kind: 'listing', listingId: 'l7' });
    handlers().onEvent({ id: '3', kind: 'balance', sku: 'TEE' });
    await tick();
    expect(b.port.postMessage).toHaveBeenCalledTimes(1); // coalesced
  });

  it('closes the subscription when the last tab goes, and resumes after a failure from the last event', async () => {
    const { hub, subscribeChanges, stop, handlers } = setup();
    const a = fakePort();
    hub.add(a.port);
    await tick();
    handlers().onEvent({ id: '41', kind: 'order' });
    handlers().onError(new Error('gone'));
    await tick(30);
    expect(subscribeChanges).toHaveBeenCalledTimes(2);
    expect(subscribeChanges.mock.calls[1]?.[0]).toBe('41');
    expect(a.port.postMessage).toHaveBeenCalled(); // told to look up again
    handlers().onStarted();
    await tick();
    expect(a.port.postMessage).toHaveBeenCalledTimes(2); // and again once the server is back
    a.disconnect();
    expect(stop).toHaveBeenCalled();
    expect(hub.listening).toBe(false);
  });
});

describe('ChangesHub when the stream drops', () => {
  it('tells every tab once when the connection is lost, and again when it is back', async () => {
    const { hub, handlers } = setup();
    const a = fakePort();
    hub.add(a.port);
    await tick();
    handlers().onStarted();
    await tick();
    expect(a.port.postMessage).not.toHaveBeenCalled(); // the first start is not news
    handlers().onConnectionLost();
    handlers().onConnectionLost();
    await tick();
    expect(a.port.postMessage).toHaveBeenCalledTimes(1);
    handlers().onStarted();
    await tick();
    expect(a.port.postMessage).toHaveBeenCalledTimes(2);
  });
});
