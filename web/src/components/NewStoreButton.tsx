// "New store", which at the quota stays focusable but refuses, and says why next to it
// (and to screen readers through aria-describedby) before anyone fills in the form.
import { forwardRef, useId } from 'react';
import type { Me } from '../api/types';
import { isAtQuota, quotaAdvice } from '../lib/quota';
import { Button } from './ui';

export const NewStoreButton = forwardRef<HTMLButtonElement, { me: Me; onClick: () => void }>(function NewStoreButton({ me, onClick }, ref) {
  const full = isAtQuota(me);
  const noteId = useId();
  return (
    <div className="flex flex-col items-start gap-1 sm:items-end">
      <Button
        ref={ref}
        variant="primary"
        aria-disabled={full || undefined}
        aria-describedby={full ? noteId : undefined}
        className={full ? 'cursor-not-allowed opacity-60' : undefined}
        onClick={full ? undefined : onClick}
      >
        <svg viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor" aria-hidden="true">
          <path d="M9.25 4h1.5v5.25H16v1.5h-5.25V16h-1.5v-5.25H4v-1.5h5.25V4Z" />
        </svg>
        New store
      </Button>
      {full && (
        <p id={noteId} className="max-w-xs text-xs text-amber-800 sm:text-right" data-testid="quota-note">
          Store quota reached. {quotaAdvice(me)}
        </p>
      )}
    </div>
  );
});
