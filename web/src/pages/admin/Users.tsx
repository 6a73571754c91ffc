// Admin: every user with their store usage; create users, change a user's quota or role,
// suspend or restore them, reset their password, delete them.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../../api/client';
import type { AdminUser, AdminUserListResponse, Role } from '../../api/types';
import { Dialog } from '../../components/Dialog';
import { Alert, Button, Card, ErrorBlock, LoadingBlock, PageHeader, SelectField, TextField, cx } from '../../components/ui';
import { formatDate, formatDateTime } from '../../lib/format';
import { useSession } from '../../state/session';
import { CreateUserDialog, DeleteUserDialog, ResetPasswordDialog, SuspendDialog, TemporaryPasswordDialog } from './UsersDialogs';

type Open =
  | { kind: 'create' }
  | { kind: 'reset' | 'suspend' | 'delete'; user: AdminUser }
  | { kind: 'password'; email: string; password: string };

export default function AdminUsersPage() {
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [open, setOpen] = useState<Open | null>(null);
  // What the last action did, on the page (and read out by the status role).
  const [status, setStatus] = useState<string | null>(null);
  const { me, refreshMe } = useSession();
  // The status region is always there, so screen readers read what lands in it.
  const done = setStatus;
  const replace = (u: AdminUser) => setUsers((list) => list?.map((x) => (x.id === u.id ? { ...x, ...u } : x)) ?? null);

  const load = useCallback(async () => {
    try {
      const res = await api.get<AdminUserListResponse>('/admin/users');
      setUsers(res.items);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => {
    document.title = 'Users · Storefleet';
    void load();
  }, [load]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (users ?? []).filter((u) => !q || u.email.toLowerCase().includes(q));
  }, [users, query]);

  return (
    <>
      <PageHeader
        title="Users"
        subtitle={users ? `${users.length} ${users.length === 1 ? 'account' : 'accounts'}` : undefined}
        actions={
          <Button variant="primary" onClick={() => setOpen({ kind: 'create' })}>
            Create user
          </Button>
        }
      />
      <p role="status" className={status ? 'mb-4 rounded-md bg-green-50 p-3 text-sm text-green-800 ring-1 ring-green-200 ring-inset' : 'sr-only'}>
        {status ?? ''}
      </p>
      {error && !users && <ErrorBlock message={error} onRetry={() => void load()} />}
      {!users && !error && <LoadingBlock label="Loading users" />}
      {users && (
        <Card>
          <div className="border-b border-slate-200 p-4">
            <TextField label="Find a user" type="search" placeholder="Email contains…" value={query} onChange={(e) => setQuery(e.target.value)} className="max-w-sm" />
          </div>
          {shown.length === 0 ? (
            <p className="p-6 text-sm text-slate-600">{users.length === 0 ? 'No users yet.' : 'No user matches this search.'}</p>
          ) : (
            <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Users table">
              <table className="min-w-full text-sm">
                <caption className="sr-only">Users, their role and store usage</caption>
                <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
                  <tr>
                    <th scope="col" className="px-4 py-2">Email</th>
                    <th scope="col" className="px-4 py-2">Role</th>
                    <th scope="col" className="px-4 py-2">Stores</th>
                    <th scope="col" className="hidden px-4 py-2 sm:table-cell">Joined</th>
                    <th scope="col" className="hidden px-4 py-2 md:table-cell">Last sign-in</th>
                    <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {shown.map((u) => (
                    <tr key={u.id} data-user-email={u.email}>
                      <th scope="row" className="max-w-[14rem] truncate px-4 py-3 text-left font-medium text-slate-900">
                        <span>{u.email}</span>
                        {u.id === me?.id && <span className="ml-2 text-xs font-normal text-slate-500">(you)</span>}
                        {u.suspended && (
                          <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-200">Suspended</span>
                        )}
                      </th>
                      <td className="px-4 py-3">
                        <span className={cx('rounded px-1.5 py-0.5 text-xs font-medium ring-1', u.role === 'admin' ? 'bg-indigo-50 text-indigo-700 ring-indigo-200' : 'bg-slate-50 text-slate-700 ring-slate-200')}>
                          {u.role}
                        </span>
                      </td>
                      <td className="px-4 py-3 tabular-nums" data-testid="usage">
                        {u.stores_active} of {u.store_quota}
                      </td>
                      <td className="hidden px-4 py-3 text-slate-600 sm:table-cell">{formatDate(u.created_at)}</td>
                      <td className="hidden px-4 py-3 text-slate-600 md:table-cell">{u.last_login_at ? formatDateTime(u.last_login_at) : 'Never'}</td>
                      <td className="px-4 py-3">
                        <div className="flex flex-wrap justify-end gap-2">
                          <Button size="sm" onClick={() => setEditing(u)} aria-label={`Edit ${u.email}`}>
                            Edit
                          </Button>
                          <Button size="sm" onClick={() => setOpen({ kind: 'reset', user: u })} aria-label={`Reset password of ${u.email}`}>
                            Reset password
                          </Button>
                          {u.id !== me?.id && (
                            <>
                              <Button size="sm" onClick={() => setOpen({ kind: 'suspend', user: u })} aria-label={`${u.suspended ? 'Restore' : 'Suspend'} ${u.email}`}>
                                {u.suspended ? 'Restore' : 'Suspend'}
                              </Button>
                              <Button size="sm" variant="ghost" className="text-red-700" onClick={() => setOpen({ kind: 'delete', user: u })} aria-label={`Delete ${u.email}`}>
                                Delete
                              </Button>
                            </>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      )}
      {editing && (
        <EditUserDialog
          user={editing}
          isSelf={editing.id === me?.id}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            replace(u);
            setEditing(null);
            done(`Saved ${u.email}: quota ${u.store_quota}, role ${u.role}.`);
            if (u.id === me?.id) void refreshMe().catch(() => {});
          }}
        />
      )}
      {open?.kind === 'create' && (
        <CreateUserDialog
          onClose={() => setOpen(null)}
          onCreated={({ user, temporary_password }) => {
            setUsers((list) => (list ? [...list, user] : list));
            done(`Created ${user.email}.`);
            setOpen({ kind: 'password', email: user.email, password: temporary_password });
          }}
        />
      )}
      {open?.kind === 'reset' && (
        <ResetPasswordDialog
          user={open.user}
          onClose={() => setOpen(null)}
          onReset={(password) => {
            done(`Reset the password of ${open.user.email}; their sessions were signed out.`);
            setOpen({ kind: 'password', email: open.user.email, password });
          }}
        />
      )}
      {open?.kind === 'suspend' && (
        <SuspendDialog
          user={open.user}
          onClose={() => setOpen(null)}
          onDone={(u) => {
            replace(u);
            setOpen(null);
            done(u.suspended ? `Suspended ${u.email}; they were signed out everywhere.` : `Restored ${u.email}.`);
          }}
        />
      )}
      {open?.kind === 'delete' && (
        <DeleteUserDialog
          user={open.user}
          onClose={() => setOpen(null)}
          onDeleted={(u) => {
            setUsers((list) => list?.filter((x) => x.id !== u.id) ?? null);
            setOpen(null);
            done(`Deleted ${u.email}.`);
          }}
        />
      )}
      {open?.kind === 'password' && <TemporaryPasswordDialog email={open.email} password={open.password} onClose={() => setOpen(null)} />}
    </>
  );
}

function EditUserDialog({ user, isSelf, onClose, onSaved }: { user: AdminUser; isSelf: boolean; onClose: () => void; onSaved: (u: AdminUser) => void }) {
  const [quota, setQuota] = useState(String(user.store_quota));
  const [role, setRole] = useState<Role>(user.role);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ quota?: string | null; role?: string | null; form?: string | null }>({});
  const quotaRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const n = Number(quota);
    if (quota.trim() === '' || !Number.isInteger(n) || n < 0) {
      setErrors({ quota: 'Enter a whole number, 0 or more.' });
      quotaRef.current?.focus();
      return;
    }
    const body: { store_quota?: number; role?: Role } = {};
    if (n !== user.store_quota) body.store_quota = n;
    if (role !== user.role) body.role = role;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const updated = await api.patch<Partial<AdminUser>>(`/admin/users/${encodeURIComponent(user.id)}`, body);
      onSaved({ ...user, ...body, ...updated });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed' && Object.keys(err.fieldErrors).length) {
        setErrors({
          quota: err.fieldErrors.store_quota?.join(' ') ?? null,
          role: err.fieldErrors.role?.join(' ') ?? null,
          form: err.fieldErrors.store_quota || err.fieldErrors.role ? null : errorMessage(err),
        });
      } else {
        setErrors({ form: errorMessage(err) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={onClose} busy={busy} title={`Edit ${user.email}`} size="sm" initialFocus={quotaRef}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        <TextField
          ref={quotaRef}
          label="Store quota"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={quota}
          onChange={(e) => setQuota(e.target.value)}
          error={errors.quota}
          hint={`How many live stores this user may have. They have ${user.stores_active} now; lowering the quota deletes nothing.`}
        />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={errors.role}>
          <option value="user">User — manages own stores</option>
          <option value="admin">Admin — manages the platform</option>
        </SelectField>
        {isSelf && role !== 'admin' && (
          <Alert tone="warning">You are removing your own admin role. You will lose access to these pages.</Alert>
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={busy}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
