import type { Db } from '../db/database';
import type { PushState } from '../db/database';
import { outboxBacklog } from '../db/repositories/admin-ops';

/** Upper bounds (seconds) of the request latency histogram. */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * Request counters of this process, incremented by the HTTP server. A
 * process-wide instance: Prometheus scrapes each replica on its own.
 */
export class HttpMetrics {
  requests = 0;
  /** Responses with status >= 400, by status class. */
  clientErrors = 0;
  serverErrors = 0;
  latencySum = 0;
  readonly latencyCounts = latencyBuckets.map(() => 0);

  record(status: number, seconds: number): void {
    this.requests += 1;
    if (status >= 500) this.serverErrors += 1;
    else if (status >= 400) this.clientErrors += 1;
    this.latencySum += seconds;
    latencyBuckets.forEach((bound, i) => {
      if (seconds <= bound) this.latencyCounts[i]! += 1;
    });
  }
}

export const httpMetrics = new HttpMetrics();

export interface MetricsSnapshot {
  requests: number;
  errors: { client: number; server: number };
  latency: { count: number; sumSeconds: number; buckets: { le: number; count: number }[] };
  outbox: Record<PushState, number>;
  subscribers: number;
  /** This process's memory: resident now, and the most it has held since it started. */
  memory: { residentBytes: number; peakResidentBytes: number };
}

export async function metricsSnapshot(db: Db, subscribers: number): Promise<MetricsSnapshot> {
  const outbox = await outboxBacklog(db);
  return {
    requests: httpMetrics.requests,
    errors: { client: httpMetrics.clientErrors, server: httpMetrics.serverErrors },
    latency: {
      count: httpMetrics.requests,
      sumSeconds: httpMetrics.latencySum,
      buckets: latencyBuckets.map((le, i) => ({ le, count: httpMetrics.latencyCounts[i] ?? 0 })),
    },
    outbox,
    subscribers,
    // maxRSS is in kibibytes.
    memory: { residentBytes: process.memoryUsage.rss(), peakResidentBytes: process.resourceUsage().maxRSS * 1024 },
  };
}

/** The Prometheus text exposition format (version 0.0.4). */
export function prometheusText(m: MetricsSnapshot): string {
  const lines = [
    '# HELP onhand_http_requests_total HTTP requests served.',
    '# TYPE onhand_http_requests_total counter',
    `onhand_http_requests_total ${m.requests}`,
    '# HELP onhand_http_errors_total HTTP responses with an error status.',
    '# TYPE onhand_http_errors_total counter',
    `onhand_http_errors_total{class="4xx"} ${m.errors.client}`,
    `onhand_http_errors_total{class="5xx"} ${m.errors.server}`,
    '# HELP onhand_http_request_duration_seconds HTTP request latency.',
    '# TYPE onhand_http_request_duration_seconds histogram',
    ...m.latency.buckets.map((b) => `onhand_http_request_duration_seconds_bucket{le="${b.le}"} ${b.count}`),
    `onhand_http_request_duration_seconds_bucket{le="+Inf"} ${m.latency.count}`,
    `onhand_http_request_duration_seconds_sum ${m.latency.sumSeconds}`,
    `onhand_http_request_duration_seconds_count ${m.latency.count}`,
    '# HELP onhand_outbox_pushes Published-quantity outbox rows by state.',
    '# TYPE onhand_outbox_pushes gauge',
    ...Object.entries(m.outbox).map(([state, n]) => `onhand_outbox_pushes{state="${state}"} ${n}`),
    '# HELP onhand_live_subscribers Open change-feed subscriptions on this process.',
    '# TYPE onhand_live_subscribers gauge',
    `onhand_live_subscribers ${m.subscribers}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${m.memory.residentBytes}`,
    '# HELP onhand_process_peak_resident_memory_bytes The most resident memory this process has held since it started.',
    '# TYPE onhand_process_peak_resident_memory_bytes gauge',
    `onhand_process_peak_resident_memory_bytes ${m.memory.peakResidentBytes}`,
  ];
  return `${lines.join('\n')}\n`;
}
