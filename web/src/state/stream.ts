// The live event stream (/api/v1/events/stream): parses `store` and `store_gone` events
// and reconnects with backoff when the browser gives up on the connection.
import type { Store } from '../api/types';
import type { StreamStatus } from './storeCache';

export type StreamEvent =
  | { type: 'store'; store: Store }
  | { type: 'store_gone'; id: string }
  /** The server dropped changes for this client (it lagged): fetch the list again. */
  | { type: 'resync' };

export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
}

export type EventSourceCtor = new (url: string, init?: EventSourceInit) => EventSourceLike;

export const STREAM_URL = '/api/v1/events/stream';
const CLOSED = 2;

export function parseStoreEvent(type: string, data: string): StreamEvent | null {
  if (type === 'resync') return { type: 'resync' };
  try {
    const value: unknown = JSON.parse(data);
    if (!value || typeof value !== 'object') return null;
    const obj = value as Record<string, unknown>;
    if (type === 'store' && typeof obj.id === 'string' && typeof obj.status === 'string' && typeof obj.name === 'string') {
      return { type: 'store', store: obj as unknown as Store };
    }
    if (type === 'store_gone' && typeof obj.id === 'string') return { type: 'store_gone', id: obj.id };
  } catch {
    // A malformed event is dropped; the next list fetch repairs any gap.
  }
  return null;
}

export interface StoreStreamOptions {
  onEvent: (ev: StreamEvent) => void;
  onStatus: (status: StreamStatus) => void;
  /** Called when a closed stream is about to be reopened (e.g. to recheck the session). */
  onGiveUp?: () => void;
  EventSourceImpl?: EventSourceCtor | undefined;
  url?: string;
  maxDelayMs?: number;
}

export class StoreStream {
  private es: EventSourceLike | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;
  private readonly opts: StoreStreamOptions;

  constructor(opts: StoreStreamOptions) {
    this.opts = opts;
  }

  start(): void {
    this.stopped = false;
    const Impl = this.opts.EventSourceImpl ?? (typeof EventSource === 'undefined' ? undefined : (EventSource as unknown as EventSourceCtor));
    if (!Impl) {
      this.opts.onStatus('unsupported');
      return;
    }
    this.opts.onStatus('connecting');
    const es = new Impl(this.opts.url ?? STREAM_URL, { withCredentials: true });
    this.es = es;
    es.onopen = () => {
      this.failures = 0;
      this.opts.onStatus('open');
    };
    es.onerror = () => {
      if (this.stopped || this.es !== es) return;
      if (es.readyState === CLOSED) {
        // The browser will not retry (e.g. 401, 404 or a non-stream answer): we do.
        es.close();
        this.es = null;
        this.opts.onStatus('closed');
        this.failures += 1;
        this.opts.onGiveUp?.();
        const delay = Math.min(this.opts.maxDelayMs ?? 30_000, 1000 * 2 ** this.failures);
        this.timer = setTimeout(() => {
          this.timer = null;
          if (!this.stopped) this.start();
        }, delay);
      } else {
        // The browser reconnects by itself; until then we are not live.
        this.opts.onStatus('connecting');
      }
    };
    const handle = (type: string) => (ev: MessageEvent) => {
      const parsed = parseStoreEvent(type, String(ev.data));
      if (parsed) this.opts.onEvent(parsed);
    };
    es.addEventListener('store', handle('store'));
    es.addEventListener('store_gone', handle('store_gone'));
    es.addEventListener('resync', handle('resync'));
    // The server ends a stream whose session was signed out or whose role changed; the
    // browser would only reconnect into a 401. Recheck the session at once instead.
    es.addEventListener('end', () => {
      if (this.stopped || this.es !== es) return;
      es.close();
      this.es = null;
      this.opts.onStatus('closed');
      this.opts.onGiveUp?.();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.es?.close();
    this.es = null;
  }
}
