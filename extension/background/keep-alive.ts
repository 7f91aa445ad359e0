/**
 * An MV3 service worker is stopped after 30 s without extension events or
 * extension API calls — an open SSE stream does not count — and with it go
 * the live subscription and the toolbar badge's updates. Two remedies:
 *
 * - While the badge wants the live subscription, the worker calls a cheap
 *   extension API every `pingMs` (< 30 s): since Chrome 110 every call
 *   restarts the idle timer, so the worker and its stream stay up.
 * - When the worker was stopped anyway (browser update, memory pressure, a
 *   crash), an alarm wakes it: the worker's start recounts the badge and
 *   reopens the subscription. Alarms need the `alarms` permission; without
 *   it the worker wakes on the next popup, options page or portal tab.
 */
export interface KeepAliveDeps {
  /** Any extension API call (e.g. `runtime.getPlatformInfo`). */
  ping(): Promise<unknown>;
  /** `browser.alarms`, when the manifest grants it. */
  alarms?: AlarmsApi | undefined;
  pingMs?: number;
}

export interface AlarmsApi {
  create(name: string, info: { periodInMinutes: number; delayInMinutes?: number }): Promise<void> | void;
  get(name: string): Promise<{ name: string } | undefined>;
}

/** The alarm that wakes a stopped worker (its listener must be added at the worker's top level). */
export const wakeAlarmName = 'onhand.wake';
/** Chrome's shortest alarm period (30 s) for a packed extension. */
const wakePeriodMinutes = 0.5;

export class KeepAlive {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly deps: KeepAliveDeps) {}

  /** Keeps the worker up from now on (idempotent), and makes sure the wake alarm exists. */
  start(): void {
    void this.ensureAlarm();
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.deps.ping().catch(() => {
        // The call only matters for being made; a failure changes nothing.
      });
    }, this.deps.pingMs ?? 20_000);
  }

  /** Nothing live to keep: let the worker sleep. The alarm stays, and wakes it to look again. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private async ensureAlarm(): Promise<void> {
    const alarms = this.deps.alarms;
    if (!alarms) return;
    try {
      // Re-creating an alarm resets its schedule: only make it when missing.
      if (!(await alarms.get(wakeAlarmName))) await alarms.create(wakeAlarmName, { periodInMinutes: wakePeriodMinutes });
    } catch {
      // Without the permission (or in a browser without alarms) the worker wakes on the next event instead.
    }
  }
}
