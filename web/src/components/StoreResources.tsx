// A store page's resource use: per component what its pods reserve (requests), may use at
// most (limits) and use now (where the cluster offers metrics), and the namespace's quota.
// Stacked rows rather than a wide table, so it reads the same on a phone.
import type { ReactNode } from 'react';
import type { ComponentResources, QuotaLine } from '../api/types';
import { formatDateTime } from '../lib/format';
import type { StoreResourcesState } from '../state/storeResources';
import { Button, Card, LoadingBlock, Spinner, cx } from './ui';

/** A titled card of the store page (the same look as the page's own sections). */
export function StoreCard({ title, actions, children, testId }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Card className="p-5" aria-labelledby={id} data-testid={testId}>
      <div className="mb-4 flex items-center justify-between gap-2">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {actions}
      </div>
      {children}
    </Card>
  );
}

export function formatCpu(millicores: number | null | undefined): string {
  if (millicores == null) return '—';
  if (millicores < 1000) return `${millicores}m CPU`;
  const cores = millicores / 1000;
  return `${Number.isInteger(cores) ? cores : cores.toFixed(2).replace(/0$/, '')} CPU`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || Number.isInteger(v) || v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

function formatAmount(unit: string, value: number | null | undefined, raw: string): string {
  if (value == null) return raw;
  if (unit === 'millicores') return formatCpu(value);
  if (unit === 'bytes') return formatBytes(value);
  return String(value);
}

const QUOTA_WORDS: Record<string, string> = {
  'requests.cpu': 'CPU reserved',
  'limits.cpu': 'CPU limit',
  'requests.memory': 'Memory reserved',
  'limits.memory': 'Memory limit',
  'requests.storage': 'Storage',
  persistentvolumeclaims: 'Volumes',
  pods: 'Pods',
  services: 'Services',
  secrets: 'Secrets',
  configmaps: 'Config maps',
};

/** A bar of `value` out of `max`, labelled for screen readers; amber from 80 %, red from 100 %. */
export function UsageBar({ label, value, max, text }: { label: string; value: number; max: number; text: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  const ratio = max > 0 ? value / max : 0;
  return (
    <div className="min-w-0">
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-valuetext={text}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
      >
        <div
          className={cx('h-full rounded-full', ratio >= 1 ? 'bg-red-600' : ratio >= 0.8 ? 'bg-amber-500' : 'bg-indigo-500')}
          style={{ width: `${pct}%` }}
        />
      </div>
    </div>
  );
}

function usageText(kind: 'cpu' | 'memory', used: number, limit: number | null | undefined): string {
  const f = kind === 'cpu' ? formatCpu : formatBytes;
  return limit ? `${f(used)} of ${f(limit)} limit (${Math.round((used / limit) * 100)} %)` : `${f(used)} in use`;
}

function ComponentRow({ c, metrics }: { c: ComponentResources; metrics: boolean }) {
  const lines: { kind: 'cpu' | 'memory'; label: string; request: number | null | undefined; limit: number | null | undefined; used: number | null | undefined }[] = [
    { kind: 'cpu', label: 'CPU', request: c.requests.cpu_millicores, limit: c.limits.cpu_millicores, used: c.usage?.cpu_millicores },
    { kind: 'memory', label: 'Memory', request: c.requests.memory_bytes, limit: c.limits.memory_bytes, used: c.usage?.memory_bytes },
  ];
  const f = (kind: 'cpu' | 'memory', v: number | null | undefined) => (kind === 'cpu' ? formatCpu(v) : formatBytes(v));
  return (
    <li className="py-3" data-component={c.component}>
      <p className="text-sm font-medium text-slate-900">
        {c.component} <span className="font-normal text-slate-500">· {c.pods} {c.pods === 1 ? 'pod' : 'pods'}</span>
      </p>
      <dl className="mt-2 space-y-2">
        {lines.map((l) => (
          <div key={l.kind} className="grid grid-cols-[4.5rem_minmax(0,1fr)] items-center gap-x-3 gap-y-1 text-xs sm:grid-cols-[5rem_minmax(0,1fr)_minmax(0,9rem)]">
            <dt className="text-slate-500">{l.label}</dt>
            <dd className="min-w-0 text-slate-800">
              reserved {f(l.kind, l.request)} · limit {f(l.kind, l.limit)}
            </dd>
            <dd className="col-span-2 min-w-0 sm:col-span-1">
              {l.used != null ? (
                <div className="space-y-0.5">
                  <UsageBar label={`${c.component} ${l.label.toLowerCase()} in use`} value={l.used} max={l.limit ?? l.request ?? l.used} text={usageText(l.kind, l.used, l.limit)} />
                  <span className="block text-slate-600 tabular-nums">{f(l.kind, l.used)} in use</span>
                </div>
              ) : (
                <span className="text-slate-500">{metrics ? 'no sample yet' : 'usage not available'}</span>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </li>
  );
}

function QuotaRow({ q }: { q: QuotaLine }) {
  const label = QUOTA_WORDS[q.resource] ?? q.resource;
  const used = formatAmount(q.unit, q.used_value, q.used);
  const hard = formatAmount(q.unit, q.hard_value, q.hard);
  return (
    <li className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 py-2 text-xs sm:grid-cols-[10rem_minmax(0,1fr)_auto]" data-quota={q.resource}>
      <span className="text-slate-700" title={q.resource}>
        {label}
      </span>
      <span className="tabular-nums text-slate-800 sm:order-last">
        {used} of {hard}
      </span>
      <div className="col-span-2 sm:col-span-1">
        {q.used_value != null && q.hard_value != null && (
          <UsageBar label={`${label} used of quota`} value={q.used_value} max={q.hard_value} text={`${used} of ${hard}`} />
        )}
      </div>
    </li>
  );
}

export function StoreResources({ state }: { state: StoreResourcesState }) {
  const { data, error, loading, notRead, reload } = state;
  const metrics = !!data && data.usage_unavailable_reason == null;
  return (
    <StoreCard
      title="Resources"
      testId="store-resources"
      actions={
        notRead == null && (
        <Button size="sm" variant="ghost" onClick={() => loading || reload()} aria-busy={loading || undefined} aria-label="Refresh resources">
          {loading && <Spinner className="h-4 w-4" label="" />}
          Refresh
        </Button>
        )
      }
    >
      {notRead != null && !data && <p className="text-sm text-slate-600">{notRead}</p>}
      {error && <p className="text-sm text-slate-600">{error}</p>}
      {!data && !error && notRead == null && <LoadingBlock label="Reading resource use" />}
      {data && (
        <div className="space-y-4">
          {data.components.length === 0 ? (
            <p className="text-sm text-slate-600">No parts of the store are running yet, so nothing is reserved.</p>
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Resources per component">
              {data.components.map((c) => (
                <ComponentRow key={c.component} c={c} metrics={metrics} />
              ))}
            </ul>
          )}
          {data.usage_unavailable_reason && (
            <p className="text-xs text-slate-600" data-testid="usage-unavailable">
              Live usage is not shown: {data.usage_unavailable_reason}
            </p>
          )}
          <div>
            <h3 className="text-sm font-semibold text-slate-900">Quota of this store</h3>
            {data.quota.length === 0 ? (
              <p className="mt-1 text-sm text-slate-600">No quota is set for this store’s namespace yet.</p>
            ) : (
              <ul className="mt-1 divide-y divide-slate-100" aria-label="Quota">
                {data.quota.map((q) => (
                  <QuotaRow key={`${q.quota}/${q.resource}`} q={q} />
                ))}
              </ul>
            )}
          </div>
          <p className="text-xs text-slate-500">Read {formatDateTime(data.checked_at, true)}</p>
        </div>
      )}
    </StoreCard>
  );
}
