// Admin: who did what from where, newest first, filterable by action and actor, with
// older pages fetched on request (?limit=&before=). Actions and details are shown in words;
// the filters live in the page's address, so back and forward and shared links keep them.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, errorMessage } from '../../api/client';
import type { AdminUser, AdminUserListResponse, AuditEvent, AuditEventListResponse } from '../../api/types';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, PageHeader, SelectField, TABLE_CELL, cx } from '../../components/ui';
import { formatDateTime } from '../../lib/format';

export const PAGE_SIZE = 50;

/** Actions api.md promises; more are added from what the log contains. */
const KNOWN_ACTIONS = [
  'user.register',
  'user.login',
  'user.login_failed',
  'store.create',
  'store.delete',
  'store.retry',
  'store.credentials_read',
  'admin.user_update',
];

/** The query for one page of the log: filters are applied by the server. */
export function auditQuery(opts: { action: string; actorId: string; before?: number }): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (opts.action) q.set('action', opts.action);
  if (opts.actorId) q.set('actor_id', opts.actorId);
  if (opts.before != null) q.set('before', String(opts.before));
  return q.toString();
}

/** What each action code means, for people. Codes not listed are shown as they are. */
export const ACTION_WORDS: Record<string, string> = {
  'user.register': 'Created an account',
  'user.login': 'Signed in',
  'user.login_failed': 'Failed sign-in',
  'user.logout': 'Signed out',
  'user.password_change': 'Changed password',
  'store.create': 'Created a store',
  'store.delete': 'Deleted a store',
  'store.retry': 'Retried a store',
  'store.credentials_read': 'Viewed store credentials',
  'admin.user_update': 'Changed user settings',
  'store.upgrade': 'Upgraded a store',
  'store.rollback': 'Rolled back a store',
  'fleet.upgrade_start': 'Started a fleet upgrade',
  'fleet.upgrade_pause': 'Paused a fleet upgrade',
  'fleet.upgrade_resume': 'Resumed a fleet upgrade',
  'fleet.upgrade_cancel': 'Cancelled a fleet upgrade',
};

export function actionWords(action: string): string {
  return ACTION_WORDS[action] ?? action;
}

/** "store_quota" → "store quota". */
function keyWords(k: string): string {
  return k.replace(/_/g, ' ');
}

function valueText(v: unknown): string {
  if (v == null) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${keyWords(k)}: ${valueText(x)}`)
    .join(', ');
}

/** Details as readable text: "role: user, store quota: 8"; before/after as changes. */
export function detailsText(details: unknown, skip: readonly string[] = []): string {
  if (details == null || details === '') return '';
  if (typeof details === 'string') return details;
  if (typeof details !== 'object' || Array.isArray(details)) return valueText(details);
  const d = details as Record<string, unknown>;
  const parts: string[] = [];
  const before = d.before && typeof d.before === 'object' ? (d.before as Record<string, unknown>) : null;
  const after = d.after && typeof d.after === 'object' ? (d.after as Record<string, unknown>) : null;
  if (before && after) {
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    parts.push(changed.length ? changed.map((k) => `${keyWords(k)}: ${valueText(before[k])} → ${valueText(after[k])}`).join(', ') : 'no change');
  }
  for (const [k, v] of Object.entries(d)) {
    if ((before && after && (k === 'before' || k === 'after')) || skip.includes(k)) continue;
    parts.push(`${keyWords(k)}: ${valueText(v)}`);
  }
  return parts.join(' · ');
}

/** The target by name when the entry carries it (a store's name, a user's email), else a labelled id. */
export function targetText(e: Pick<AuditEvent, 'target_type' | 'target_id' | 'details'>): { text: string; usedKey: string | null } {
  if (!e.target_type && !e.target_id) return { text: '', usedKey: null };
  const d = (e.details ?? {}) as Record<string, unknown>;
  const kind = e.target_type === 'store' ? 'Store' : e.target_type === 'user' ? 'User' : (e.target_type ?? 'Target');
  const key = e.target_type === 'store' ? 'name' : e.target_type === 'user' ? 'email' : null;
  const named = key && typeof d[key] === 'string' ? (d[key] as string) : null;
  if (named) return { text: `${kind} ${named}`, usedKey: key };
  return { text: e.target_id ? `${kind} (id ${e.target_id.slice(0, 8)})` : kind, usedKey: null };
}

const ACTION_TONE: Record<string, string> = {
  'user.login_failed': 'bg-red-50 text-red-800 ring-red-200',
  'store.delete': 'bg-amber-50 text-amber-800 ring-amber-200',
  'store.credentials_read': 'bg-violet-50 text-violet-800 ring-violet-200',
  'admin.user_update': 'bg-indigo-50 text-indigo-800 ring-indigo-200',
};

export default function AuditLogPage() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const actorId = params.get('actor') ?? '';
  const setFilter = useCallback(
    (key: 'action' | 'actor', value: string) => {
      setParams((cur) => {
        const next = new URLSearchParams(cur);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      });
    },
    [setParams],
  );
  const setAction = (v: string) => setFilter('action', v);
  const setActorId = (v: string) => setFilter('actor', v);
  const [users, setUsers] = useState<AdminUser[]>([]);

  const fetchPage = useCallback(
    async (before?: number) => (await api.get<AuditEventListResponse>(`/audit-events?${auditQuery({ action, actorId, before })}`)).items,
    [action, actorId],
  );

  const reload = useCallback(async () => {
    try {
      const items = await fetchPage();
      setEvents(items);
      setMore(items.length >= PAGE_SIZE);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [fetchPage]);

  useEffect(() => {
    document.title = 'Audit log · Storefleet';
    api
      .get<AdminUserListResponse>('/admin/users')
      .then((res) => setUsers(res.items))
      .catch(() => {});
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function loadOlder() {
    const last = events?.[events.length - 1];
    if (!last) return;
    setLoadingMore(true);
    try {
      const items = await fetchPage(last.id);
      setEvents((cur) => [...(cur ?? []), ...items]);
      setMore(items.length >= PAGE_SIZE);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }

  const actions = useMemo(
    () => [...new Set([...KNOWN_ACTIONS, ...(action ? [action] : []), ...(events ?? []).map((e) => e.action)])].sort((a, b) => actionWords(a).localeCompare(actionWords(b))),
    [events, action],
  );
  const shown = events ?? [];
  const filtered = action !== '' || actorId !== '';

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every sign-in, store change and credential read, newest first."
        actions={
          <Button size="sm" onClick={() => void reload()}>
            Refresh
          </Button>
        }
      />
      {error && !events && <ErrorBlock message={error} onRetry={() => void reload()} />}
      {!events && !error && <LoadingBlock label="Loading audit log" />}
      {events && (
        <Card>
          <div className="flex flex-wrap items-end gap-4 border-b border-slate-200 p-4">
            <div className="w-full sm:w-64">
              <SelectField label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
                <option value="">All actions</option>
                {actions.map((a) => (
                  <option key={a} value={a}>
                    {actionWords(a)}
                  </option>
                ))}
              </SelectField>
            </div>
            <div className="w-full sm:w-72">
              <SelectField label="Actor" value={actorId} onChange={(e) => setActorId(e.target.value)}>
                <option value="">Anyone</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
              </SelectField>
            </div>
            <p className="text-sm text-slate-600" role="status">
              {`${events.length} ${filtered ? 'matching ' : ''}${events.length === 1 ? 'event' : 'events'} loaded`}
            </p>
          </div>
          {error && <Alert tone="warning" className="m-4">{error}</Alert>}
          {shown.length === 0 ? (
            <p className="p-6 text-sm text-slate-600">{filtered ? 'No event matches these filters.' : 'Nothing has been recorded yet.'}</p>
          ) : (
            <div role="region" aria-label="Audit events table">
              {/* One table; below md each row is a stacked card with its own labels. */}
              <table role="table" className="block w-full text-sm md:table">
                <caption className="sr-only">Audit events{filtered ? ', filtered' : ''}</caption>
                <thead role="rowgroup" className="hidden bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase md:table-header-group">
                  <tr role="row">
                    <th role="columnheader" scope="col" className="px-4 py-2 whitespace-nowrap">When</th>
                    <th role="columnheader" scope="col" className="px-4 py-2">Actor</th>
                    <th role="columnheader" scope="col" className="px-4 py-2">Action</th>
                    <th role="columnheader" scope="col" className="px-4 py-2">Target</th>
                    <th role="columnheader" scope="col" className="px-4 py-2">Details</th>
                    <th role="columnheader" scope="col" className="px-4 py-2">From</th>
                  </tr>
                </thead>
                <tbody role="rowgroup" className="block divide-y divide-slate-100 md:table-row-group">
                  {shown.map((e, i) => {
                    const target = targetText(e);
                    const details = detailsText(e.details, target.usedKey ? [target.usedKey] : []);
                    return (
                      <tr role="row" key={e.id ?? `${e.at}-${i}`} data-action={e.action} className="block px-4 py-3 md:table-row md:p-0">
                        <td role="cell" data-label="When" className={TABLE_CELL}>
                          <div><time dateTime={e.at} className="whitespace-nowrap tabular-nums">{formatDateTime(e.at, true)}</time></div>
                        </td>
                        <td role="cell" data-label="Actor" className={cx(TABLE_CELL, 'break-words')}>
                          <div>{e.actor_email ?? (e.actor_id ? <span className="font-mono text-xs">{e.actor_id}</span> : <span className="text-slate-500">anonymous</span>)}</div>
                        </td>
                        <td role="cell" data-label="Action" className={TABLE_CELL}>
                          <div><span className={cx('inline-block rounded px-1.5 py-0.5 text-xs font-medium ring-1', ACTION_TONE[e.action] ?? 'bg-slate-50 text-slate-700 ring-slate-200')} title={e.action}>
                            {actionWords(e.action)}
                          </span></div>
                        </td>
                        <td role="cell" data-label="Target" className={cx(TABLE_CELL, 'break-words text-slate-700')} title={e.target_id ?? undefined}>
                          <div>{target.text}</div>
                        </td>
                        <td role="cell" data-label="Details" className={cx(TABLE_CELL, 'text-xs break-words whitespace-normal text-slate-600 md:min-w-[16rem]')}>
                          <div>{details}</div>
                        </td>
                        <td role="cell" data-label="From" className={cx(TABLE_CELL, 'font-mono text-xs text-slate-600')}>
                          <div>{e.ip ?? ''}</div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <div className="border-t border-slate-200 p-4 text-center">
            {more ? (
              <Button onClick={loadOlder} loading={loadingMore}>
                Load older events
              </Button>
            ) : (
              <p className="text-sm text-slate-500">No older entries.</p>
            )}
          </div>
        </Card>
      )}
    </>
  );
}
