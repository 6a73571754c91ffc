// "Server unreachable — retrying" banner, shown whenever the API stops answering.
import { useSyncExternalStore } from 'react';
import { getConnectionState, retryNow, subscribeConnection } from '../api/connection';
import { useNow } from '../lib/useNow';
import { Button } from './ui';

export function useConnection() {
  return useSyncExternalStore(subscribeConnection, getConnectionState);
}

export function ConnectionBanner() {
  const conn = useConnection();
  if (conn.reachable) return null;
  return <UnreachableNotice nextRetryAt={conn.nextRetryAt} />;
}

function UnreachableNotice({ nextRetryAt }: { nextRetryAt: number | null }) {
  // The shared clock only triggers the re-render; the countdown reads the time itself.
  useNow(1000);
  const secs = nextRetryAt ? Math.max(0, Math.ceil((nextRetryAt - Date.now()) / 1000)) : 0;
  return (
    <div role="alert" className="sticky top-0 z-40 border-b border-amber-300 bg-amber-100 text-amber-950">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-2 text-sm">
        <p>
          <span className="font-semibold">Server unreachable — retrying.</span>{' '}
          <span>
            {secs > 0 ? `Next attempt in ${secs} s.` : 'Trying now…'} What you see may be out of date; nothing is lost.
          </span>
        </p>
        <Button size="sm" variant="secondary" onClick={retryNow}>
          Retry now
        </Button>
      </div>
    </div>
  );
}
