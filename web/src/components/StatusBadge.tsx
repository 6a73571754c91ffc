// The status of a store as a coloured pill whose text (not only its colour) says it all.
import type { ReactElement } from 'react';
import type { Store, StoreStatus } from '../api/types';
import { formatDuration } from '../lib/format';
import { stepWords } from '../lib/storeWords';
import { useNow } from '../lib/useNow';
import { cx } from './ui';

const BADGE: Record<StoreStatus, { cls: string; icon: ReactElement }> = {
  Pending: {
    cls: 'bg-slate-100 text-slate-700 ring-slate-300',
    icon: (
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm.75 4v3.7l2.6 1.5-.75 1.3-3.35-1.95V6h1.5Z" />
      </svg>
    ),
  },
  Provisioning: {
    cls: 'bg-sky-50 text-sky-800 ring-sky-300',
    icon: (
      <svg viewBox="0 0 24 24" fill="none" className="h-3.5 w-3.5 animate-spin" aria-hidden="true">
        <circle cx="12" cy="12" r="9" stroke="currentColor" strokeOpacity="0.3" strokeWidth="3" />
        <path d="M21 12a9 9 0 0 0-9-9" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
      </svg>
    ),
  },
  Ready: {
    cls: 'bg-emerald-50 text-emerald-800 ring-emerald-300',
    icon: (
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm3.7 5.3 1.1 1-5.6 5.9L5.9 11l1-1.1 2.3 2.2 4.5-4.8Z" />
      </svg>
    ),
  },
  // Calm, not alarming: the store keeps serving while a new version rolls out.
  Upgrading: {
    cls: 'bg-violet-50 text-violet-800 ring-violet-300',
    icon: (
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm0 3.4 4.2 4.2-1.1 1.1-2.35-2.35V14h-1.5V8.35L6.9 10.7 5.8 9.6 10 5.4Z" />
      </svg>
    ),
  },
  Failed: {
    cls: 'bg-red-50 text-red-800 ring-red-300',
    icon: (
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16ZM7.2 6.1 10 8.9l2.8-2.8 1.1 1.1-2.8 2.8 2.8 2.8-1.1 1.1-2.8-2.8-2.8 2.8-1.1-1.1L8.9 10 6.1 7.2l1.1-1.1Z" />
      </svg>
    ),
  },
  Deleting: {
    cls: 'bg-amber-50 text-amber-800 ring-amber-300',
    icon: (
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M8 2h4l.5 1.5H16V5H4V3.5h3.5L8 2ZM5 6.5h10l-.8 10.1A1.5 1.5 0 0 1 12.7 18H7.3a1.5 1.5 0 0 1-1.5-1.4L5 6.5Z" />
      </svg>
    ),
  },
};

export function StatusBadge({ status, className }: { status: StoreStatus; className?: string }) {
  const b = BADGE[status] ?? BADGE.Pending;
  return (
    <span
      className={cx('inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', b.cls, className)}
      data-status={status}
    >
      {b.icon}
      <span className="sr-only">Status: </span>
      {status}
    </span>
  );
}

/** Current step of a store in progress, in words: "Step 5 of 8 · Starting the database and shop". */
export function stepLabel(store: Pick<Store, 'step' | 'steps_done' | 'steps_total' | 'status'>): string | null {
  const total = store.steps_total ?? 0;
  if (store.status === 'Pending' && !store.step && !store.steps_done) return null;
  const words = stepWords(store.step, store.status);
  if (total <= 0 || store.steps_done == null) return words ? `Step: ${words}` : null;
  const current = Math.min(total, store.steps_done + (store.status === 'Ready' ? 0 : 1));
  return `Step ${current} of ${total}${words ? ` · ${words}` : ''}`;
}

/** Progress bar, step and elapsed time for a Pending/Provisioning/Upgrading store. */
export function StoreProgress({ store, compact = false }: { store: Store; compact?: boolean }) {
  const now = useNow(1000);
  const label = stepLabel(store);
  // Time on the current step; before the first step starts, the store has been waiting
  // since it was created.
  // An upgrade that has not reported a step yet started when the store last changed.
  const since = Date.parse(store.step_started_at ?? (store.status === 'Upgrading' ? store.updated_at : null) ?? store.created_at);
  const elapsed = Number.isNaN(since) ? null : formatDuration(now - since);
  const total = store.steps_total ?? 0;
  const done = Math.min(total, store.steps_done ?? 0);
  return (
    <div className={cx('min-w-0', compact ? 'space-y-1' : 'space-y-1.5')}>
      {total > 0 && (
        <div
          role="progressbar"
          aria-label={`${store.status === 'Upgrading' ? 'Upgrade' : 'Provisioning'} progress of ${store.name}`}
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={done}
          aria-valuetext={label ?? undefined}
          className="h-1.5 w-full max-w-48 overflow-hidden rounded-full bg-slate-200"
        >
          <div className={cx('h-full rounded-full transition-[width]', store.status === 'Upgrading' ? 'bg-violet-500' : 'bg-sky-500')} style={{ width: `${(done / total) * 100}%` }} />
        </div>
      )}
      <p className="text-xs text-slate-600">
        {label ?? 'Waiting to start'}
        {elapsed && <span className="whitespace-nowrap tabular-nums"> · {elapsed} elapsed</span>}
      </p>
    </div>
  );
}

/** The reason next to a status, unless it only repeats the status ("Ready" next to Ready). */
export function reasonToShow(store: Pick<Store, 'status' | 'status_reason'>): string | null {
  const r = store.status_reason?.trim();
  if (!r || r.toLowerCase() === store.status.toLowerCase()) return null;
  return r;
}

/** "checkout not verified" beside a Ready badge: the store runs, but nobody tested paying. */
export function CheckoutNotVerified({ className }: { className?: string }) {
  return (
    <span
      className={cx('inline-flex shrink-0 items-center gap-1 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-300 ring-inset', className)}
      data-checkout="not-verified"
      title="No test order was placed, so nobody has checked that customers can pay."
    >
      <svg viewBox="0 0 20 20" fill="currentColor" className="h-3.5 w-3.5" aria-hidden="true">
        <path d="M10 2 1.5 17h17L10 2Zm-.75 5h1.5v5h-1.5V7Zm0 6.5h1.5V15h-1.5v-1.5Z" />
      </svg>
      checkout not verified
    </span>
  );
}
