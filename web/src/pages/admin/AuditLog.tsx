// Admin: who did what from where, newest first, filterable by action and actor, with
// older pages fetched on request (?limit=&before=).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../../api/client';
import type { AdminUser, AdminUserListResponse, AuditEvent, AuditEventListResponse } from '../../api/types';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, PageHeader, SelectField, cx } from '../../components/ui';
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

function detailsText(details: unknown): string {
  if (details == null || details === '') return '';
  if (typeof details === 'string') return details;
  if (typeof details === 'object' && Object.keys(details as object).length === 0) return '';
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
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
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
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

  const actions = useMemo(() => [...new Set([...KNOWN_ACTIONS, ...(events ?? []).map((e) => e.action)])].sort(), [events]);
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
                    {a}
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
            <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Audit events table">
              <table className="min-w-full text-sm">
                <caption className="sr-only">Audit events{filtered ? ', filtered' : ''}</caption>
                <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
                  <tr>
                    <th scope="col" className="px-4 py-2 whitespace-nowrap">When</th>
                    <th scope="col" className="px-4 py-2">Actor</th>
                    <th scope="col" className="px-4 py-2">Action</th>
                    <th scope="col" className="px-4 py-2">Target</th>
                    <th scope="col" className="hidden px-4 py-2 md:table-cell">From</th>
                    <th scope="col" className="hidden px-4 py-2 lg:table-cell">Details</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {shown.map((e, i) => (
                    <tr key={e.id ?? `${e.at}-${i}`} data-action={e.action}>
                      <td className="px-4 py-2.5 whitespace-nowrap text-slate-600">
                        <time dateTime={e.at}>{formatDateTime(e.at, true)}</time>
                      </td>
                      <td className="max-w-[14rem] truncate px-4 py-2.5" title={e.actor_email ?? e.actor_id ?? undefined}>
                        {e.actor_email ?? (e.actor_id ? <span className="font-mono text-xs">{e.actor_id}</span> : <span className="text-slate-500">anonymous</span>)}
                      </td>
                      <td className="px-4 py-2.5 whitespace-nowrap">
                        <span className={cx('rounded px-1.5 py-0.5 font-mono text-xs ring-1', ACTION_TONE[e.action] ?? 'bg-slate-50 text-slate-700 ring-slate-200')}>{e.action}</span>
                      </td>
                      <td className="max-w-[16rem] truncate px-4 py-2.5 text-slate-700" title={e.target_id ?? undefined}>
                        {e.target_type ? `${e.target_type} ` : ''}
                        {e.target_id && <span className="font-mono text-xs text-slate-500">{e.target_id.slice(0, 8)}</span>}
                      </td>
                      <td className="hidden px-4 py-2.5 font-mono text-xs text-slate-600 md:table-cell">{e.ip ?? ''}</td>
                      <td className="hidden max-w-[20rem] truncate px-4 py-2.5 text-xs text-slate-600 lg:table-cell" title={detailsText(e.details)}>
                        {detailsText(e.details)}
                      </td>
                    </tr>
                  ))}
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
              <p className="text-sm text-slate-500">That is the beginning of the log.</p>
            )}
          </div>
        </Card>
      )}
    </>
  );
}
