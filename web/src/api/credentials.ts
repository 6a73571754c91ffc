// A store's credentials: rotating them (POST /stores/{id}/credentials/rotate), which kinds
// each engine can rotate, and the server's refusals in words.
import { api, ApiError, errorMessage } from './client';
import type { CredentialKind, RotateCredentialsBody, ServerInfo, Store } from './types';

export type { CredentialKind };

/**
 * The kinds a store of `engine` can rotate, as the server lists them in GET /info; empty
 * when it cannot rotate any yet, when the server does not offer that engine, or while
 * /info is not known.
 */
export function rotatableKinds(info: ServerInfo | null, engine: string): readonly CredentialKind[] {
  return info?.engines.find((e) => e.id === engine)?.rotatable_credentials ?? [];
}

/**
 * Replace the store's credentials of the kinds set in `body` (an omitted field means: the
 * admin password yes, the others no). Answers 202 with the store, back to Provisioning
 * until the new credentials are applied.
 */
export function rotateCredentials(storeId: string, body: RotateCredentialsBody): Promise<Store> {
  return api.post<Store>(`/stores/${encodeURIComponent(storeId)}/credentials/rotate`, body);
}

/** A refusal in words: what to do about it, and the server's own detail when it adds something. */
export interface RefusalWords {
  title: string;
  detail: string | null;
}

/** Why a rotation was refused, in words, per the server's error code. */
export function rotateErrorWords(err: unknown): RefusalWords {
  if (!(err instanceof ApiError) || err.isNetwork || err.status >= 500) return { title: errorMessage(err), detail: null };
  const detail = err.detail?.trim() || null;
  switch (err.code) {
    // `conflict`: the store left Ready between the page's last update and the request.
    case 'not_ready':
    case 'conflict':
      return { title: 'Credentials can be rotated only while the store is Ready. Wait until it is Ready, then try again.', detail };
    case 'not_supported_for_engine':
      return { title: 'This kind of store cannot rotate its credentials yet.', detail };
    case 'rate_limited':
      return {
        title: err.retryAfter != null ? `Too many requests. Try again in ${err.retryAfter} s.` : 'Too many requests. Try again in a moment.',
        detail: null,
      };
    case 'not_found':
      return { title: 'This store no longer exists.', detail: null };
    case 'forbidden':
      return { title: 'You are not allowed to rotate this store’s credentials.', detail };
  }
  return { title: errorMessage(err), detail: null };
}
