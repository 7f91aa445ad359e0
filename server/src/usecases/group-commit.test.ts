import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { GroupCommit, type Settled } from './group-commit';

interface Item {
  key: string;
  value: number;
}

/** A group commit whose batches are recorded and held until released. */
function recorder(options: { lanes?: number; itemsPerBatchMax?: number; waitMsMax?: number; waitingMax?: number; fail?: (items: readonly Item[]) => unknown } = {}) {
  const batches: string[][] = [];
  const releases: (() => void)[] = [];
  const runs = { inFlight: 0, inFlightMax: 0 };
  const group = new GroupCommit<Item, number>({
    lanes: options.lanes ?? 1,
    itemsPerBatchMax: options.itemsPerBatchMax ?? 100,
    waitMsMax: options.waitMsMax ?? 60_000,
    waitingMax: options.waitingMax ?? 1_000,
    conflictKeys: (item) => [item.key],
    run: async (_group, items) => {
      batches.push(items.map((i) => i.key));
      runs.inFlight += 1;
      runs.inFlightMax = Math.max(runs.inFlightMax, runs.inFlight);
      await new Promise<void>((resolve) => releases.push(resolve));
      runs.inFlight -= 1;
      const failure = options.fail?.(items);
      if (failure) throw failure;
      return items.map((i): Settled<number> => (i.value < 0 ? { ok: false, error: new Error(`refused ${i.key}`) } : { ok: true, value: i.value * 10 }));
    },
  });
  const releaseAll = async () => {
    for (let round = 0; round < 20; round += 1) {
      while (releases.length > 0) releases.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { group, batches, runs, releaseAll };
}

describe('group commit', () => {
  it('runs a lone request at once, and gathers what arrives while the lane is busy into one batch', async () => {
    const { group, batches, releaseAll } = recorder();
    const first = group.submit('t1', { key: 'a', value: 1 });
    const rest = ['b', 'c', 'd'].map((key, i) => group.submit('t1', { key, value: i + 2 }));
    expect(batches).toEqual([['a']]);
    await releaseAll();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('keeps tenants apart and never puts two requests with one key in a batch', async () => {
    const { group, batches, releaseAll } = recorder();
    const answers = [
      group.submit('t1', { key: 'x', value: 1 }),
      group.submit('t2', { key: 'y', value: 2 }),
      group.submit('t1', { key: 'z', value: 3 }),
      group.submit('t1', { key: 'z', value: 3 }),
      group.submit('t1', { key: 'w', value: 4 }),
    ];
    await releaseAll();
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 30, 40]);
    expect(batches).toEqual([['x'], ['y'], ['z', 'w'], ['z']]);
  });

  it('answers each request with its own outcome, a refusal reaching only its own request', async () => {
    const { group, releaseAll } = recorder();
    const answers = [1, -1, 3].map((value, i) => group.submit('t1', { key: `k${i}`, value }).catch((e: Error) => e.message));
    await releaseAll();
    expect(await Promise.all(answers)).toEqual([10, 'refused k1', 30]);
  });

  it('runs each request alone when a batch fails for an unexpected reason, so only the culprit fails', async () => {
    const culprit = new Error('constraint violated by k1');
    const { group, batches, releaseAll } = recorder({ fail: (items) => (items.some((i) => i.key === 'k1') ? culprit : undefined) });
    group.submit('t1', { key: 'first', value: 0 }).catch(() => {});
    const answers = ['k0', 'k1', 'k2'].map((key, i) => group.submit('t1', { key, value: i }).catch((e: Error) => e.message));
    await releaseAll();
    expect(await Promise.all(answers)).toEqual([0, 'constraint violated by k1', 20]);
    expect(batches).toEqual([['first'], ['k0', 'k1', 'k2'], ['k0'], ['k1'], ['k2']]);
  });

  it('reruns the singles of a failed batch one after the other, holding one lane', async () => {
    const { group, batches, runs, releaseAll } = recorder({ fail: (items) => (items.length > 1 ? new Error('one of them') : undefined) });
    const answers = ['first', 'a', 'b', 'c'].map((key) => group.submit('t1', { key, value: 1 }));
    await releaseAll();
    expect(await Promise.all(answers)).toEqual([10, 10, 10, 10]);
    expect(batches).toEqual([['first'], ['a', 'b', 'c'], ['a'], ['b'], ['c']]);
    // One lane, one transaction at a time, the singles included.
    expect(runs.inFlightMax).toBe(1);
  });

  it('tells a request to retry later when it waited too long for a batch, or when too many wait already', async () => {
    const { group, releaseAll } = recorder({ waitMsMax: 30, waitingMax: 2 });
    const first = group.submit('t1', { key: 'first', value: 1 });
    const waiting = [group.submit('t1', { key: 'a', value: 2 }).catch((e: AppError) => e.code), group.submit('t1', { key: 'b', value: 3 }).catch((e: AppError) => e.code)];
    const overflow = await group.submit('t1', { key: 'c', value: 4 }).catch((e: AppError) => e.code);
    expect(overflow).toBe('TOO_MANY_REQUESTS');
    await new Promise((r) => setTimeout(r, 60));
    expect(await Promise.all(waiting)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    await releaseAll();
    expect(await first).toBe(10);
  });

  it('tells every request of a batch refused as a whole (busy, connection lost) to retry, without running them again', async () => {
    const busy = new AppError('TOO_MANY_REQUESTS', 'the server is busy; retry with the same idempotencyKey');
    const { group, batches, releaseAll } = recorder({ fail: (items) => (items.length > 1 ? busy : undefined) });
    group.submit('t1', { key: 'first', value: 0 }).catch(() => {});
    const answers = ['a', 'b'].map((key) => group.submit('t1', { key, value: 1 }).catch((e: AppError) => e.code));
    await releaseAll();
    expect(await Promise.all(answers)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    expect(batches).toEqual([['first'], ['a', 'b']]);
  });

  it('caps a batch at its size and uses every lane', async () => {
    const { group, batches, releaseAll } = recorder({ lanes: 2, itemsPerBatchMax: 2 });
    const answers = Array.from({ length: 7 }, (_, i) => group.submit('t1', { key: `k${i}`, value: i }));
    expect(batches).toEqual([['k0'], ['k1']]);
    await releaseAll();
    expect(await Promise.all(answers)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(batches.map((b) => b.length).every((n) => n <= 2)).toBe(true);
    expect(batches.flat().sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
  });
});
