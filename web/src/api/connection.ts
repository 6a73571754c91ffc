// Tracks whether the Storefleet server answers. Any request that fails at the network
// level (or gets a gateway error) marks it unreachable; a probe then retries with backoff
// until the server answers again, and subscribers are told so they can refetch.

export interface ConnectionState {
  reachable: boolean;
  /** Epoch ms of the next probe while unreachable. */
  nextRetryAt: number | null;
  /** Consecutive failed probes. */
  attempts: number;
}

type Listener = () => void;

const PROBE_URL = '/api/v1/info';
const MAX_DELAY_MS = 10_000;

let state: ConnectionState = { reachable: true, nextRetryAt: null, attempts: 0 };
const listeners = new Set<Listener>();
const reconnectListeners = new Set<Listener>();
let timer: ReturnType<typeof setTimeout> | null = null;

function set(next: ConnectionState) {
  state = next;
  for (const l of listeners) l();
}

export function getConnectionState(): ConnectionState {
  return state;
}

export function subscribeConnection(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Called once each time the server becomes reachable again after an outage. */
export function onReconnect(l: Listener): () => void {
  reconnectListeners.add(l);
  return () => reconnectListeners.delete(l);
}

export function retryDelay(attempts: number): number {
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.max(0, attempts - 1));
}

function schedule() {
  if (timer) clearTimeout(timer);
  const delay = retryDelay(state.attempts);
  set({ ...state, nextRetryAt: Date.now() + delay });
  timer = setTimeout(probe, delay);
}

async function probe() {
  timer = null;
  try {
    const res = await fetch(PROBE_URL, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status >= 502 && res.status <= 504) throw new Error(`gateway ${res.status}`);
    reportReachable();
  } catch {
    set({ ...state, attempts: state.attempts + 1 });
    schedule();
  }
}

export function reportUnreachable(): void {
  if (!state.reachable) return;
  state = { reachable: false, nextRetryAt: null, attempts: 1 };
  schedule();
}

export function reportReachable(): void {
  if (state.reachable) return;
  if (timer) clearTimeout(timer);
  timer = null;
  set({ reachable: true, nextRetryAt: null, attempts: 0 });
  for (const l of reconnectListeners) l();
}

/** Probe now instead of waiting for the backoff (the banner's "Retry now"). */
export function retryNow(): void {
  if (state.reachable) return;
  if (timer) clearTimeout(timer);
  void probe();
}

/** Test helper: forget all state. */
export function resetConnectionForTests(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  state = { reachable: true, nextRetryAt: null, attempts: 0 };
  listeners.clear();
  reconnectListeners.clear();
}
