/** The path to come back to after signing in; only same-site paths are accepted. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/signin') || next.startsWith('/signup')) return '/';
  return next;
}
