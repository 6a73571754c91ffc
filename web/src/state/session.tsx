// Who is signed in, and what the server offers (/info). Loaded once at start; any 401
// from the API clears the session, and the route guard then sends the person to sign-in
// with the page they were on remembered.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from '../api/client';
import { onReconnect } from '../api/connection';
import type { AuthResponse, Me, ServerInfo } from '../api/types';

export type SessionStatus = 'loading' | 'ready' | 'unreachable' | 'error';

export interface SessionValue {
  status: SessionStatus;
  info: ServerInfo | null;
  me: Me | null;
  /** True when the session ended on its own (expired or revoked), not by signing out. */
  expired: boolean;
  bootError: string | null;
  refreshMe: () => Promise<void>;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  retryBoot: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

async function fetchMe(): Promise<Me | null> {
  try {
    return await api.get<Me>('/me', { reportUnauthorized: false });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [info, setInfo] = useState<ServerInfo | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [expired, setExpired] = useState(false);
  const [bootError, setBootError] = useState<string | null>(null);
  const [bootAttempt, setBootAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const [infoResult, meResult] = await Promise.allSettled([api.get<ServerInfo>('/info'), fetchMe()]);
      if (cancelled) return;
      if (infoResult.status === 'fulfilled') setInfo(infoResult.value);
      if (meResult.status === 'fulfilled') {
        setMe(meResult.value);
        setStatus('ready');
        return;
      }
      const err = meResult.reason;
      if (err instanceof ApiError && (err.isNetwork || err.status >= 502)) {
        setStatus('unreachable');
      } else {
        setBootError(err instanceof Error ? err.message : 'Unexpected error');
        setStatus('error');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [bootAttempt]);

  // Back online after an outage at start: try again by ourselves.
  const statusRef = useRef(status);
  const meRef = useRef(me);
  useEffect(() => {
    statusRef.current = status;
    meRef.current = me;
  });

  useEffect(
    () =>
      onReconnect(() => {
        if (statusRef.current === 'unreachable') setBootAttempt((n) => n + 1);
      }),
    [],
  );

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (meRef.current) setExpired(true);
      setMe(null);
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  const refreshMe = useCallback(async () => {
    const next = await fetchMe();
    // A 401 here while someone was signed in is the session ending on its own.
    if (!next && meRef.current) setExpired(true);
    setMe(next);
  }, []);

  const afterAuth = useCallback(async (res: AuthResponse) => {
    setExpired(false);
    try {
      const full = await fetchMe();
      setMe(full ?? { ...res.user });
    } catch {
      setMe({ ...res.user });
    }
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const res = await api.post<AuthResponse>('/auth/login', { email, password }, { reportUnauthorized: false });
      await afterAuth(res);
    },
    [afterAuth],
  );

  const signUp = useCallback(
    async (email: string, password: string) => {
      const res = await api.post<AuthResponse>('/auth/register', { email, password }, { reportUnauthorized: false });
      await afterAuth(res);
    },
    [afterAuth],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post<void>('/auth/logout', undefined, { reportUnauthorized: false });
    } finally {
      setExpired(false);
      setMe(null);
    }
  }, []);

  const retryBoot = useCallback(() => {
    setStatus('loading');
    setBootError(null);
    setBootAttempt((n) => n + 1);
  }, []);

  const value = useMemo<SessionValue>(
    () => ({ status, info, me, expired, bootError, refreshMe, signIn, signUp, signOut, retryBoot }),
    [status, info, me, expired, bootError, refreshMe, signIn, signUp, signOut, retryBoot],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in user; only for components rendered behind the route guard. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
