// Client-side copies of the server's input rules (api.md), phrased for people. The server
// stays the authority: these only let the form explain problems while the user types.

export interface RuleCheck {
  id: string;
  /** The rule, in words. */
  label: string;
  ok: boolean;
}

export interface NameCheck {
  valid: boolean;
  rules: RuleCheck[];
  /** The most useful thing to fix first, or null when valid. */
  error: string | null;
}

export const NAME_MIN = 3;
export const NAME_MAX = 63;

/**
 * A valid name close to what was typed ("My Store!" → "my-store"), or null when the input
 * is already valid or nothing usable is left of it.
 */
export function suggestStoreName(input: string): string | null {
  let n = input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/[a-z0-9]/.test(n)) return null;
  if (!/^[a-z]/.test(n)) n = `store-${n}`;
  if (n.length < NAME_MIN) n = `${n}-shop`;
  n = n.slice(0, NAME_MAX).replace(/-+$/, '');
  if (n === input || !checkStoreName(n).valid) return null;
  return n;
}

/** Characters a store's default address keeps of its name: the host label has room for 63. */
export const DEFAULT_HOST_SUFFIX_LEN = 5;

/**
 * The first part of a store's default address as the server forms it
 * (src/domain/names.rs default_domain): the name, shortened to leave room for "-" and the
 * random suffix, without trailing hyphens.
 */
export function defaultHostPrefix(name: string): string {
  return name.slice(0, NAME_MAX - DEFAULT_HOST_SUFFIX_LEN - 1).replace(/-+$/, '');
}

export function checkStoreName(name: string): NameCheck {
  const badChars = [...new Set([...name].filter((c) => !/[a-z0-9-]/.test(c)))];
  const rules: RuleCheck[] = [
    { id: 'length', label: `${NAME_MIN} to ${NAME_MAX} characters`, ok: name.length >= NAME_MIN && name.length <= NAME_MAX },
    { id: 'chars', label: 'only lowercase letters a–z, digits 0–9 and hyphens', ok: name.length > 0 && badChars.length === 0 },
    { id: 'start', label: 'starts with a letter', ok: /^[a-z]/.test(name) },
    { id: 'end', label: 'ends with a letter or a digit', ok: /[a-z0-9]$/.test(name) },
  ];
  let error: string | null = null;
  if (name.length === 0) {
    error = 'Enter a name for the store.';
  } else if (badChars.length > 0) {
    const upper = badChars.some((c) => /[A-Z]/.test(c));
    error = upper && badChars.every((c) => /[A-Z]/.test(c))
      ? 'Use lowercase letters only: uppercase letters are not allowed.'
      : 'Only lowercase letters, digits and hyphens are allowed.';
  } else if (!/^[a-z]/.test(name)) {
    error = 'The name must start with a letter.';
  } else if (name.length < NAME_MIN) {
    error = `The name needs at least ${NAME_MIN} characters (it has ${name.length}).`;
  } else if (name.length > NAME_MAX) {
    error = `The name can have at most ${NAME_MAX} characters (it has ${name.length}).`;
  } else if (!/[a-z0-9]$/.test(name)) {
    error = 'The name must end with a letter or a digit, not a hyphen.';
  }
  return { valid: error === null, rules, error };
}

/** Validates an optional custom domain; returns an explanation or null when acceptable. */
export function checkDomain(domain: string): string | null {
  if (domain === '') return null;
  if (/[A-Z]/.test(domain)) return 'Use lowercase letters in the domain.';
  if (/^[a-z]+:\/\//.test(domain) || domain.includes('/')) {
    return 'Enter only the host name, without “https://” or a path (for example shop.example.com).';
  }
  if (domain.length > 253) return `A domain can have at most 253 characters (it has ${domain.length}).`;
  const labels = domain.split('.');
  if (labels.length < 2) return 'A domain needs at least two parts separated by a dot, like shop.example.com.';
  for (const label of labels) {
    if (label.length === 0) return 'A domain cannot have empty parts (two dots in a row, or a dot at the start or end).';
    if (label.length > 63) return `Each part of the domain can have at most 63 characters (“${label.slice(0, 12)}…” has ${label.length}).`;
    if (!/^[a-z0-9-]+$/.test(label)) return 'A domain can contain only lowercase letters, digits, hyphens and dots.';
    if (label.startsWith('-') || label.endsWith('-')) return 'A part of the domain cannot start or end with a hyphen.';
  }
  const tld = labels[labels.length - 1] ?? '';
  if (!/^[a-z]+$/.test(tld)) return 'The last part of the domain (like “com”) must be letters only.';
  return null;
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

export function checkPassword(password: string): string | null {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  return null;
}

export function checkEmail(email: string): string | null {
  if (email.trim() === '') return 'Enter your email address.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return 'Enter an email address like name@example.com.';
  return null;
}
