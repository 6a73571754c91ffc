// The store page's "Versions and revisions": the store's Helm release history, an upgrade
// to the platform's current chart and values, and a rollback to an earlier revision.
// Both keep the store serving; the page's live status shows the progress.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Revision, RevisionListResponse, Store } from '../api/types';
import { upgradeErrorWords, upgrades } from '../api/upgrades';
import { formatDateTime } from '../lib/format';
import { useAnnounce } from '../state/announcer';
import { Dialog } from './Dialog';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, cx } from './ui';

/** How many changed key paths a revision lists before "and N more". */
const SHOWN_PATHS = 6;

const HELM_STATUS_WORDS: Record<string, string> = {
  deployed: 'Running',
  superseded: 'Replaced by a later revision',
  failed: 'Failed',
  'pending-install': 'Being installed',
  'pending-upgrade': 'Being upgraded',
  'pending-rollback': 'Being rolled back',
  uninstalling: 'Being removed',
  uninstalled: 'Removed',
  unknown: 'Unknown',
};

/** Helm's word for a revision's status, for people ("superseded" → "Replaced by a later revision"). */
export function revisionStatusWords(status: string): string {
  return HELM_STATUS_WORDS[status] ?? status;
}

type Confirm = { kind: 'upgrade' } | { kind: 'rollback'; revision: Revision } | null;

export function StoreRevisions({ store, onStoreChange }: { store: Store; onStoreChange: (s: Store) => void }) {
  const shown = store.status === 'Ready' || store.status === 'Upgrading';
  const [list, setList] = useState<RevisionListResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const announce = useAnnounce();

  const load = useCallback(async () => {
    try {
      setList(await upgrades.revisions(store.id));
      setError(null);
    } catch (err) {
      setError(upgradeErrorWords(err));
    }
  }, [store.id]);

  // Read again whenever the store moves between Ready and Upgrading or runs another
  // revision, so the list is fresh once an upgrade or rollback has finished.
  useEffect(() => {
    if (shown) void load();
  }, [shown, load, store.status, store.revision]);

  if (!shown) return null;

  const ready = store.status === 'Ready';
  const upgradeAvailable = list?.upgrade_available ?? store.upgrade_available ?? false;
  const current = list?.current_revision ?? store.revision ?? null;

  function close() {
    if (busy) return;
    setConfirm(null);
    setActionError(null);
  }

  async function run() {
    if (!confirm || busy) return;
    setBusy(true);
    setActionError(null);
    try {
      const s = confirm.kind === 'upgrade' ? await upgrades.upgrade(store.id) : await upgrades.rollback(store.id, confirm.revision.revision);
      onStoreChange(s);
      announce(
        confirm.kind === 'upgrade'
          ? `Upgrading ${store.name}. It keeps serving customers meanwhile.`
          : `Rolling back ${store.name} to revision ${confirm.revision.revision}. It keeps serving customers meanwhile.`,
      );
      setConfirm(null);
      // The button that opened the dialog is gone now that the store is Upgrading.
      requestAnimationFrame(() => headingRef.current?.focus());
    } catch (err) {
      setActionError(upgradeErrorWords(err));
      // The list was out of date (someone else upgraded, or it is up to date after all).
      void load();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="p-5" aria-labelledby={headingId} data-testid="store-revisions">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h2 id={headingId} ref={headingRef} tabIndex={-1} className="text-base font-semibold text-slate-900 focus:outline-none">
          Versions and revisions
        </h2>
        {ready && upgradeAvailable && (
          <Button variant="primary" size="sm" onClick={() => setConfirm({ kind: 'upgrade' })}>
            Upgrade to the latest version
          </Button>
        )}
      </div>

      {store.status === 'Upgrading' && (
        <Alert tone="info" className="mb-4" title="Upgrade in progress">
          Your store keeps serving customers. If the new version does not come up, the store rolls back by itself. This list
          updates when it is done.
        </Alert>
      )}

      {ready && /^(Upgrade|Rollback) failed/i.test(store.status_reason) && (
        <Alert tone="info" className="mb-4" title="The last change was undone">
          {store.status_reason}. The store is Ready on the revision marked current.
        </Alert>
      )}

      {error && !list && <ErrorBlock message={error} onRetry={() => void load()} />}
      {!list && !error && <LoadingBlock label="Loading revisions" />}
      {list && (
        <div className="space-y-4">
          {error && <Alert tone="warning">Could not refresh: {error}</Alert>}
          {ready && (
            <p className="text-sm text-slate-600">
              {upgradeAvailable
                ? 'A newer version of the platform’s chart or settings is available for this store.'
                : 'This store runs the platform’s latest chart and settings.'}
            </p>
          )}
          {list.items.length === 0 ? (
            <p className="text-sm text-slate-600">No revisions recorded yet.</p>
          ) : (
            <ol className="divide-y divide-slate-100" aria-label="Revisions, newest first">
              {list.items.map((r, i) => (
                <RevisionItem
                  key={r.revision}
                  revision={r}
                  current={r.revision === current}
                  first={i === list.items.length - 1}
                  canRollBack={ready && r.rollback_allowed && r.revision !== current}
                  onRollBack={() => setConfirm({ kind: 'rollback', revision: r })}
                />
              ))}
            </ol>
          )}
        </div>
      )}

      <Dialog
        open={confirm !== null}
        onClose={close}
        busy={busy}
        size="sm"
        title={
          confirm?.kind === 'rollback' ? `Roll back ${store.name} to revision ${confirm.revision.revision}?` : `Upgrade ${store.name} to the latest version?`
        }
        description={
          confirm?.kind === 'rollback' ? (
            <>
              The store returns to revision {confirm.revision.revision} (chart {confirm.revision.chart_version}, app{' '}
              {confirm.revision.app_version}). It keeps serving customers meanwhile, and if the rollback fails it goes back to the
              revision it runs now by itself.
            </>
          ) : (
            <>
              The store gets the platform’s current chart and settings. It keeps serving customers during the upgrade, and if the
              new version does not come up it rolls back{current != null ? ` to revision ${current}` : ''} by itself.
            </>
          )
        }
      >
        <div className="space-y-4">
          {actionError && <Alert tone="error">{actionError}</Alert>}
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <Button onClick={close} disabled={busy}>
              Cancel
            </Button>
            <Button variant="primary" onClick={() => void run()} loading={busy}>
              {confirm?.kind === 'rollback' ? `Roll back to revision ${confirm.revision.revision}` : 'Upgrade store'}
            </Button>
          </div>
        </div>
      </Dialog>
    </Card>
  );
}

function RevisionItem({
  revision: r,
  current,
  first,
  canRollBack,
  onRollBack,
}: {
  revision: Revision;
  current: boolean;
  first: boolean;
  canRollBack: boolean;
  onRollBack: () => void;
}) {
  const headId = useId();
  const shownPaths = r.changed_values.slice(0, SHOWN_PATHS);
  const morePaths = r.changed_values.slice(SHOWN_PATHS);
  return (
    <li className="space-y-2 py-3" aria-labelledby={headId} data-revision={r.revision} data-current={current || undefined}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 id={headId} className="text-sm font-semibold text-slate-900">
          Revision {r.revision}
        </h3>
        {current && (
          <span className="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-300 ring-inset">
            current
          </span>
        )}
        <span className={cx('text-xs', r.status === 'failed' ? 'font-medium text-red-800' : 'text-slate-600')}>{revisionStatusWords(r.status)}</span>
        <time dateTime={r.updated_at} className="text-xs text-slate-500 sm:ml-auto">
          {formatDateTime(r.updated_at)}
        </time>
      </div>
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-xs text-slate-700">
        <dt className="text-slate-500">Chart</dt>
        <dd className="font-mono break-all">{r.chart_version}</dd>
        <dt className="text-slate-500">App</dt>
        <dd className="font-mono break-all">{r.app_version}</dd>
        {r.description && (
          <>
            <dt className="text-slate-500">Note</dt>
            <dd className="break-words">{r.description}</dd>
          </>
        )}
      </dl>
      <div className="text-xs text-slate-700">
        {r.changed_values.length === 0 ? (
          <p>{first ? 'First installation.' : 'No settings changed.'}</p>
        ) : (
          <>
            <p>Settings changed:</p>
            <ul className="mt-1 flex flex-wrap gap-1" aria-label={`Settings changed in revision ${r.revision}`}>
              {shownPaths.map((p) => (
                <li key={p} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono break-all">
                  {p}
                </li>
              ))}
            </ul>
            {morePaths.length > 0 && (
              <details className="mt-1">
                <summary className="cursor-pointer rounded-sm">and {morePaths.length} more</summary>
                <ul className="mt-1 flex flex-wrap gap-1">
                  {morePaths.map((p) => (
                    <li key={p} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono break-all">
                      {p}
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </div>
      {canRollBack && (
        <Button size="sm" onClick={onRollBack} aria-label={`Roll back to this revision (revision ${r.revision})`}>
          Roll back to this revision
        </Button>
      )}
    </li>
  );
}
