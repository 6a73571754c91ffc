// Seconds left until a moment (for "try again in N s"); 0 once it has passed.
import { useCallback, useState } from 'react';
import { useNow } from './useNow';

export function useCountdown(): [number, (seconds: number | null) => void] {
  const [until, setUntil] = useState<number | null>(null);
  useNow(1000); // re-render every second; the count itself reads the clock
  const left = until ? Math.max(0, Math.ceil((until - Date.now()) / 1000)) : 0;
  const start = useCallback((seconds: number | null) => {
    setUntil(seconds && seconds > 0 ? Date.now() + seconds * 1000 : null);
  }, []);
  return [left, start];
}
