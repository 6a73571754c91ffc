import { describe, expect, it } from 'vitest';
import { checkDomain, checkPassword, checkStoreName, defaultHostPrefix, suggestStoreName } from './validation';

describe('checkStoreName (api.md: 3–63 of a-z 0-9 -, starts with a letter, ends with a letter or digit)', () => {
  it.each(['abc', 'acme-shop', 'a1b', 'shop-2025', 'a'.repeat(63), 'a-b-c'])('accepts %s', (name) => {
    const r = checkStoreName(name);
    expect(r.valid).toBe(true);
    expect(r.error).toBeNull();
    expect(r.rules.every((rule) => rule.ok)).toBe(true);
  });

  it.each([
    ['', /enter a name/i],
    ['ab', /at least 3 characters \(it has 2\)/i],
    ['a'.repeat(64), /at most 63 characters \(it has 64\)/i],
    ['Acme', /lowercase letters only/i],
    ['acme_shop', /only lowercase letters, digits and hyphens/i],
    ['acme shop', /only lowercase letters, digits and hyphens/i],
    ['1shop', /start with a letter/i],
    ['-shop', /start with a letter/i],
    ['shop-', /end with a letter or a digit/i],
    ['shöp', /only lowercase letters, digits and hyphens/i],
  ])('rejects %j with a reason in words', (name, message) => {
    const r = checkStoreName(name);
    expect(r.valid).toBe(false);
    expect(r.error).toMatch(message);
  });

  it('reports each rule separately so the form can show a checklist', () => {
    const r = checkStoreName('9x-');
    const byId = Object.fromEntries(r.rules.map((x) => [x.id, x.ok]));
    expect(byId).toEqual({ length: true, chars: true, start: false, end: false });
  });
});

describe('checkDomain', () => {
  it.each(['', 'shop.example.com', 'a.io', 'my-shop.example.co'])('accepts %j', (d) => expect(checkDomain(d)).toBeNull());
  it.each([
    ['Shop.example.com', /lowercase/],
    ['localhost', /two parts/],
    ['https://shop.example.com', /without “https:\/\/”/],
    ['shop..example.com', /empty parts/],
    ['shop.example.c0m', /letters only/],
    ['-shop.example.com', /hyphen/],
    ['sh_op.example.com', /only lowercase letters, digits, hyphens and dots/],
    [`${'a'.repeat(64)}.com`, /at most 63/],
    [`${'abcdefghi.'.repeat(26)}com`, /at most 253/],
  ])('rejects %j', (d, message) => expect(checkDomain(d)).toMatch(message));
});

describe('checkPassword', () => {
  it('needs 10 to 256 characters', () => {
    expect(checkPassword('short')).toMatch(/at least 10/);
    expect(checkPassword('0123456789')).toBeNull();
    expect(checkPassword('x'.repeat(257))).toMatch(/at most 256/);
  });
});

describe('suggestStoreName (issue 13: propose a valid name instead of listing characters)', () => {
  it.each([
    ['My Store!', 'my-store'],
    ['Acme', 'acme'],
    ['acme_shop', 'acme-shop'],
    ['Café Crème', 'cafe-creme'],
    ['9lives', 'store-9lives'],
    ['ab', 'ab-shop'],
    ['shop-', 'shop'],
    ['--Big   Deal--', 'big-deal'],
  ])('%j → %j', (input, want) => {
    expect(suggestStoreName(input)).toBe(want);
    expect(checkStoreName(want).valid).toBe(true);
  });

  it('suggests nothing for a valid name or nothing usable', () => {
    expect(suggestStoreName('acme-shop')).toBeNull();
    expect(suggestStoreName('!!!')).toBeNull();
    expect(suggestStoreName('')).toBeNull();
  });

  it('shortens long names for the address the way the server does', () => {
    expect(defaultHostPrefix('my-store')).toBe('my-store');
    expect(defaultHostPrefix('a'.repeat(63))).toBe('a'.repeat(57));
    expect(defaultHostPrefix(`${'a'.repeat(56)}-bcd`)).toBe('a'.repeat(56));
  });
});
