// A polite live region so screen-reader users hear what changes on its own
// ("acme-shop is now Ready") without moving their focus. What was said belongs to the
// session it was said in: signing out or another person signing in clears it.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';

const AnnounceContext = createContext<(message: string) => void>(() => {});
const ClearContext = createContext<() => void>(() => {});

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback((m: string) => {
    // Clearing first makes a repeated message be read again.
    setMessage('');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      setMessage(m);
    }, 50);
  }, []);
  const clear = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setMessage('');
  }, []);
  useEffect(() => clear, [clear]);
  return (
    <ClearContext.Provider value={clear}>
      <AnnounceContext.Provider value={announce}>
        {children}
        <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="announcer">
          {message}
        </div>
      </AnnounceContext.Provider>
    </ClearContext.Provider>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}

/** Empties the live region whenever `sessionKey` (who is signed in) changes. */
export function ClearAnnouncementsOn({ sessionKey }: { sessionKey: string | null }) {
  const clear = useContext(ClearContext);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    clear();
  }, [sessionKey, clear]);
  return null;
}
