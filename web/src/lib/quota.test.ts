import { describe, expect, it } from 'vitest';
import { isAtQuota, quotaAdvice, storesTowardQuota } from './quota';

describe('quota', () => {
  it('does not count stores being deleted', () => {
    expect(storesTowardQuota([{ status: 'Ready' }, { status: 'Deleting' }, { status: 'Pending' }, { status: 'Failed' }])).toBe(3);
  });

  it('is reached only when both numbers are known', () => {
    expect(isAtQuota({ store_quota: 2, stores_active: 2 })).toBe(true);
    expect(isAtQuota({ store_quota: 2, stores_active: 1 })).toBe(false);
    expect(isAtQuota({ store_quota: 0, stores_active: 0 })).toBe(true);
    expect(isAtQuota({})).toBe(false);
  });

  it('says that deleting frees a slot, and never that waiting does not help', () => {
    const text = quotaAdvice({ store_quota: 1, stores_active: 1 });
    expect(text).toContain('You have 1 of 1 store.');
    expect(text).toContain('frees as soon as the deletion starts');
    expect(text).not.toMatch(/waiting/i);
  });
});
