// The signed-in user's live sessions: where each one signed in from, "This browser"
// marked, and a way to end one or all the others (a lost phone, a shared computer).
import { useCallback, useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client';
import type { components } from '../api/schema.gen';
import { Alert, Button, Card, ErrorBlock, LoadingBlock } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { describeUserAgent } from '../lib/userAgent';

type SessionView = components['schemas']['SessionView'];
type SessionList = components['schemas']['SessionList'];
type SessionsEnded = components['schemas']['SessionsEnded'];

export function AccountSessions() {
  const [sessions, setSessions] = useState<SessionView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const res = await api.get<SessionList>('/me/sessions');
      setSessions(res.items);
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  // The status region is always there, so screen readers read what lands in it.
  const done = setStatus;

  async function endOne(s: SessionView) {
    setBusy(s.id);
    setActionError(null);
    try {
      await api.del<void>(`/me/sessions/${encodeURIComponent(s.id)}`);
      setSessions((list) => list?.filter((x) => x.id !== s.id) ?? null);
      done(`Signed out ${describeUserAgent(s.user_agent)}.`);
    } catch (err) {
      setActionError(errorMessage(err));
      void load();
    } finally {
      setBusy(null);
    }
  }

  async function endOthers() {
    setBusy('others');
    setActionError(null);
    try {
      const res = await api.post<SessionsEnded>('/me/sessions/revoke-others');
      setSessions((list) => list?.filter((x) => x.current) ?? null);
      done(res.sessions_ended === 1 ? 'Signed out 1 other session.' : `Signed out ${res.sessions_ended} other sessions.`);
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  const others = sessions?.filter((s) => !s.current).length ?? 0;

  return (
    <Card className="p-6" aria-labelledby="sessions-heading">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="sessions-heading" className="text-lg font-semibold text-slate-900">
            Where you are signed in
          </h2>
          <p className="mt-1 text-sm text-slate-600">Sign out any browser or API token you do not recognise.</p>
        </div>
        {others > 0 && (
          <Button onClick={() => void endOthers()} loading={busy === 'others'} disabled={busy != null && busy !== 'others'}>
            Sign out all other sessions
          </Button>
        )}
      </div>
      <div className="mt-4 space-y-3">
        <p role="status" className={status ? 'text-sm text-green-800' : 'sr-only'}>
          {status ?? ''}
        </p>
        {actionError && <Alert tone="error">{actionError}</Alert>}
        {!sessions && loadError && <ErrorBlock message={loadError} onRetry={() => void load()} />}
        {!sessions && !loadError && <LoadingBlock label="Loading sessions" />}
        {sessions && (
          <ul className="divide-y divide-slate-100 rounded-md ring-1 ring-slate-200" aria-label="Your sessions">
            {sessions.map((s) => {
              const what = describeUserAgent(s.user_agent);
              return (
                <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 p-3" data-session-id={s.id}>
                  <div className="min-w-0">
                    <p className="font-medium break-words text-slate-900">
                      {what}
                      {s.current && (
                        <span className="ml-2 rounded bg-green-50 px-1.5 py-0.5 text-xs font-medium text-green-800 ring-1 ring-green-200">This browser</span>
                      )}
                    </p>
                    <p className="text-sm text-slate-600">
                      Signed in {formatDateTime(s.created_at)}
                      {s.ip ? ` from ${s.ip}` : ''} · expires {formatDateTime(s.expires_at)}
                    </p>
                  </div>
                  {!s.current && (
                    <Button
                      size="sm"
                      onClick={() => void endOne(s)}
                      loading={busy === s.id}
                      disabled={busy != null && busy !== s.id}
                      aria-label={`Sign out ${what}, signed in ${formatDateTime(s.created_at)}`}
                    >
                      Sign out
                    </Button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Card>
  );
}
