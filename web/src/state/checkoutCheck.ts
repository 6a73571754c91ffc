// Whether a Ready store's checkout was verified. The store itself does not say; its
// events do (an event of the verify step). Each Ready store's events are read once per
// time it became Ready and shared by every view that asks, so the list costs one request
// per Ready row on screen, not per render.
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { EventListResponse, Store } from '../api/types';
import { checkoutVerdict } from '../lib/storeWords';

export type CheckoutVerdict = 'verified' | 'skipped' | null;

const known = new Map<string, CheckoutVerdict>();
const pending = new Map<string, Promise<CheckoutVerdict>>();

function keyOf(store: Pick<Store, 'id' | 'ready_at' | 'updated_at'>): string {
  return `${store.id}|${store.ready_at ?? store.updated_at ?? ''}`;
}

/** Record a verdict from events a page already has. */
export function rememberCheckout(store: Pick<Store, 'id' | 'ready_at' | 'updated_at'>, verdict: CheckoutVerdict): void {
  known.set(keyOf(store), verdict);
}

export function resetCheckoutChecksForTests(): void {
  known.clear();
  pending.clear();
}

function load(store: Pick<Store, 'id' | 'ready_at' | 'updated_at'>): Promise<CheckoutVerdict> {
  const key = keyOf(store);
  let p = pending.get(key);
  if (!p) {
    p = api
      .get<EventListResponse>(`/stores/${encodeURIComponent(store.id)}/events`)
      .then((res) => {
        const v = checkoutVerdict(res.items);
        known.set(key, v);
        return v;
      })
      .catch(() => null)
      .finally(() => pending.delete(key));
    pending.set(key, p);
  }
  return p;
}

/** The checkout verdict of a Ready store; null while unknown or when the store is not Ready. */
export function useCheckoutVerdict(store: Pick<Store, 'id' | 'status' | 'ready_at' | 'updated_at'>): CheckoutVerdict {
  const ready = store.status === 'Ready';
  const key = keyOf(store);
  const [verdict, setVerdict] = useState<{ key: string; v: CheckoutVerdict }>(() => ({ key, v: known.get(key) ?? null }));
  useEffect(() => {
    if (!ready) return;
    if (known.has(key)) {
      setVerdict({ key, v: known.get(key) ?? null });
      return;
    }
    let live = true;
    void load(store).then((v) => {
      if (live) setVerdict({ key, v });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, key]);
  return ready && verdict.key === key ? verdict.v : null;
}
