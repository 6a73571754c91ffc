// A store page's recent Kubernetes events in an owner's words (newest first), with the
// cluster's own reason, object and message behind a disclosure for operators.
import { formatDateTime } from '../lib/format';
import type { StoreResourcesState } from '../state/storeResources';
import { StoreCard } from './StoreResources';
import { LoadingBlock, cx } from './ui';

export function StoreClusterEvents({ state }: { state: StoreResourcesState }) {
  const { data, error } = state;
  return (
    <StoreCard title="Recent activity" testId="store-cluster-events">
      {error && !data && <p className="text-sm text-slate-600">{error}</p>}
      {!data && !error && <LoadingBlock label="Reading recent activity" />}
      {data && data.events.length === 0 && (
        <p className="text-sm text-slate-600">Nothing happened to the store’s parts lately. The cluster keeps about an hour of activity.</p>
      )}
      {data && data.events.length > 0 && (
        <ol className="space-y-3" aria-label="Recent activity, newest first">
          {data.events.map((e, i) => (
            <li key={`${e.at ?? ''}-${e.object}-${e.reason}-${i}`} className="min-w-0">
              <div className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-500">
                {e.at && <time dateTime={e.at}>{formatDateTime(e.at, true)}</time>}
                {e.warning ? <span className="font-semibold text-amber-900 uppercase">Warning</span> : <span className="sr-only">Info</span>}
                {e.count > 1 && <span>{e.count} times</span>}
              </div>
              <p className={cx('mt-0.5 text-sm break-words', e.warning ? 'text-amber-900' : 'text-slate-800')}>{e.words}</p>
              <details className="mt-0.5 text-xs text-slate-600">
                <summary className="cursor-pointer rounded-sm">For operators</summary>
                <p className="mt-1 break-words">
                  <span className="font-mono">{e.reason}</span> on <span className="font-mono">{e.object}</span>
                  {e.message && <>: {e.message}</>}
                </p>
              </details>
            </li>
          ))}
        </ol>
      )}
    </StoreCard>
  );
}
