import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangesHub } from './changes-hub';
import { KeepAlive, wakeAlarmName, type AlarmsApi } from './keep-alive';
import type { ChangeHandlers, ServerApi } from './server-api';

afterEach(() => vi.useRealTimers());

function alarms(existing: string[] = []): AlarmsApi & { created: string[] } {
  const created: string[] = [];
  return {
    created,
    create: (name) => void created.push(name),
    get: async (name) => (existing.includes(name) || created.includes(name) ? { name } : undefined),
  };
}

describe('KeepAlive', () => {
  it('calls an extension API well within every 30 s while started, and stops when told', async () => {
    vi.useFakeTimers();
    const ping = vi.fn(async () => ({}));
    const keepAlive = new KeepAlive({ ping, alarms: alarms() });
    keepAlive.start();
    keepAlive.start(); // idempotent
    await vi.advanceTimersByTimeAsync(61_000);
    expect(ping).toHaveBeenCalledTimes(3); // every 20 s: the worker's 30 s idle timer never runs out
    keepAlive.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ping).toHaveBeenCalledTimes(3);
    expect(keepAlive.running).toBe(false);
  });

  it('creates the wake alarm once (re-creating would reset its schedule), and works without the alarms permission', async () => {
    const api = alarms();
    const keepAlive = new KeepAlive({ ping: async () => ({}), alarms: api });
    keepAlive.start();
    await Promise.resolve();
    await Promise.resolve();
    keepAlive.stop();
    keepAlive.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(api.created).toEqual([wakeAlarmName]);
    keepAlive.stop();
    const without = new KeepAlive({ ping: async () => ({}), alarms: undefined });
    expect(() => without.start()).not.toThrow();
    without.stop();
  });
});

describe('ChangesHub keeps the worker up only while it holds the subscription', () => {
  it('says active when the subscription opens, inactive when the last listener goes or the server refuses for good', async () => {
    let handlers: ChangeHandlers | null = null;
    const activity: boolean[] = [];
    const hub = new ChangesHub({
      loadSettings: async () => ({ serverUrl: 'http://127.0.0.1:1', token: 't' }),
      createApi: () => ({ subscribeChanges: (_l: string | null, h: ChangeHandlers) => ((handlers = h), () => {}) }) as unknown as ServerApi,
      retryAfterMs: 5,
      onActiveChange: (active) => activity.push(active),
    });
    const unlisten = hub.listen(() => {});
    await new Promise((r) => setTimeout(r, 5));
    expect(activity).toEqual([true]);
    handlers!.onError(new Error('401'));
    expect(activity).toEqual([true, false]);
    await new Promise((r) => setTimeout(r, 20)); // the retry opens it again
    expect(activity).toEqual([true, false, true]);
    unlisten();
    expect(activity).toEqual([true, false, true, false]);
  });

  it('stays inactive without a token', async () => {
    const activity: boolean[] = [];
    const hub = new ChangesHub({
      loadSettings: async () => ({ serverUrl: 'http://127.0.0.1:1', token: null }),
      createApi: () => ({}) as unknown as ServerApi,
      onActiveChange: (active) => activity.push(active),
    });
    hub.listen(() => {});
    await new Promise((r) => setTimeout(r, 5));
    expect(activity).toEqual([]);
    expect(hub.listening).toBe(false);
  });
});
