import type { Me } from '../api/types';
import { cx } from './ui';

/** "3 of 5 stores", with a small bar; numbers straight from GET /me. */
export function QuotaMeter({ me }: { me: Me }) {
  if (me.store_quota == null || me.stores_active == null) return null;
  const { store_quota: quota, stores_active: used } = me;
  const full = used >= quota;
  const pct = quota > 0 ? Math.min(100, (used / quota) * 100) : 100;
  return (
    <div className="flex items-center gap-2" data-testid="quota">
      <div
        className="h-1.5 w-20 overflow-hidden rounded-full bg-slate-200"
        role="meter"
        aria-label="Store quota used"
        aria-valuemin={0}
        aria-valuemax={quota}
        aria-valuenow={used}
        aria-valuetext={`${used} of ${quota} stores`}
      >
        <div className={cx('h-full rounded-full', full ? 'bg-amber-500' : 'bg-indigo-500')} style={{ width: `${pct}%` }} />
      </div>
      <span className={cx('text-sm', full ? 'font-medium text-amber-800' : 'text-slate-600')}>
        {used} of {quota} {quota === 1 ? 'store' : 'stores'}
      </span>
    </div>
  );
}
