// "Open WP Admin": asks the platform for a one-click login link (single use, valid for a
// minute) and opens it in a new tab. The tab is opened synchronously in the click, before
// the request, so popup blockers allow it; its address is set once the link arrives. When
// the browser blocks the tab anyway, the link is offered to click instead.
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Store } from '../api/types';
import { Button } from './ui';

interface AdminLogin {
  url: string;
  expires_at: string;
}

function failureWords(err: unknown): string {
  if (err instanceof ApiError && err.code === 'not_ready') return err.detail || 'WP Admin can be opened once the store is Ready.';
  return `Could not open WP Admin: ${errorMessage(err)}`;
}

export function OpenWpAdmin({ store }: { store: Pick<Store, 'id' | 'name' | 'status' | 'engine'> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fallback, setFallback] = useState<string | null>(null);
  if (store.status !== 'Ready' || store.engine !== 'woocommerce') return null;

  async function open() {
    setError(null);
    setFallback(null);
    setBusy(true);
    const tab = window.open('', '_blank');
    if (tab) {
      tab.opener = null;
      try {
        tab.document.title = 'Opening WP Admin…';
        tab.document.body.textContent = 'Signing you in to WP Admin…';
      } catch {
        // A tab we cannot write to still takes the address below.
      }
    }
    try {
      const login = await api.post<AdminLogin>(`/stores/${encodeURIComponent(store.id)}/admin-login`);
      if (tab && !tab.closed) tab.location.href = login.url;
      else setFallback(login.url);
    } catch (err) {
      tab?.close();
      setError(failureWords(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col items-start gap-1">
      <Button variant="secondary" onClick={open} loading={busy} aria-describedby={`wp-admin-hint-${store.id}`}>
        Open WP Admin <span aria-hidden="true">↗</span>
      </Button>
      <span id={`wp-admin-hint-${store.id}`} className="sr-only">
        Opens the store’s WordPress admin in a new tab, signed in as its administrator.
      </span>
      {fallback && (
        <p className="max-w-xs text-sm text-slate-700" role="status">
          Your browser blocked the new tab.{' '}
          <a href={fallback} target="_blank" rel="noreferrer noopener" className="font-medium text-indigo-700 underline" onClick={() => setFallback(null)}>
            Open WP Admin now
          </a>{' '}
          (the link works once, for one minute).
        </p>
      )}
      {error && (
        <p className="max-w-xs text-sm text-red-800" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
