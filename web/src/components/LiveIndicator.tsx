import type { StreamStatus } from '../state/storeCache';
import { cx } from './ui';

/** Whether the list is updating by itself, and how. */
export function LiveIndicator({ stream, polling }: { stream: StreamStatus; polling: boolean }) {
  const live = stream === 'open';
  const text = live ? 'Live' : polling ? 'Updating every few seconds' : stream === 'connecting' ? 'Connecting…' : 'Up to date';
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-500" title={live ? 'Changes appear as they happen' : undefined}>
      <span aria-hidden="true" className={cx('h-2 w-2 rounded-full', live ? 'bg-emerald-500' : polling ? 'bg-sky-500' : 'bg-slate-300')} />
      {text}
    </span>
  );
}
