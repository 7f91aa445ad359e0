/**
 * The part of the EventSource API that tRPC's `httpSubscriptionLink` uses,
 * built on fetch. The background is a service worker, where EventSource does
 * not exist, and the server wants the token in an Authorization header,
 * which EventSource cannot send.
 *
 * Like EventSource: reconnects after a dropped stream (sending
 * Last-Event-ID), honours `retry:`, and gives up (CLOSED + "error") on an
 * HTTP error status such as 401.
 */
export interface FetchEventSourceInit {
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export class FetchEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readyState = 0;
  readonly withCredentials = false;
  private readonly abort = new AbortController();
  private lastEventId = '';
  private retryMs = 3_000;

  constructor(
    readonly url: string,
    private readonly init: FetchEventSourceInit = {},
  ) {
    super();
    void this.run();
  }

  close(): void {
    this.readyState = this.CLOSED;
    this.abort.abort();
  }

  private async run(): Promise<void> {
    const doFetch = this.init.fetch ?? fetch.bind(globalThis);
    while (this.readyState !== this.CLOSED) {
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream', ...this.init.headers };
        if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
        const response = await doFetch(this.url, { headers, signal: this.abort.signal, cache: 'no-store' });
        if (!response.ok || !response.body) {
          this.fail(true);
          return;
        }
        this.readyState = this.OPEN;
        this.dispatchEvent(new Event('open'));
        await this.read(response.body);
      } catch {
        if (this.abort.signal.aborted) return;
      }
      if (this.readyState === this.CLOSED) return;
      this.fail(false);
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
    }
  }

  private fail(fatal: boolean): void {
    this.readyState = fatal ? this.CLOSED : this.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }

  /** Parses the stream line by line (text/event-stream) and dispatches each event. */
  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
    let buffer = '';
    let data: string[] = [];
    let type = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            this.dispatchEvent(new MessageEvent(type || 'message', { data: data.join('\n'), lastEventId: this.lastEventId }));
          }
          data = [];
          type = '';
          continue;
        }
        if (line.startsWith(':')) continue; // comment / keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'data') data.push(text);
        else if (field === 'event') type = text;
        else if (field === 'id' && !text.includes('\0')) this.lastEventId = text;
        else if (field === 'retry' && /^\d+$/.test(text)) this.retryMs = Number(text);
      }
    }
  }
}
