import { describe, expect, it } from 'vitest';
import { makeStore } from '../test/fixtures';
import { emptyCache, removeStore, replaceStores, shouldPoll, sortedStores, upsertStore } from './storeCache';

describe('store cache', () => {
  it('keeps the newer copy of a store', () => {
    const s = makeStore({ updated_at: '2025-01-01T12:00:05Z' });
    let c = upsertStore(emptyCache, s);
    c = upsertStore(c, { ...s, status: 'Provisioning', updated_at: '2025-01-01T12:00:10Z' });
    c = upsertStore(c, { ...s, status: 'Pending', updated_at: '2025-01-01T12:00:07Z' });
    expect(c.byId.get(s.id)?.status).toBe('Provisioning');
  });

  it('ignores late events about a store that is gone', () => {
    const s = makeStore();
    let c = upsertStore(emptyCache, s);
    c = removeStore(c, s.id);
    c = upsertStore(c, { ...s, status: 'Deleting', updated_at: '2030-01-01T00:00:00Z' });
    expect(c.byId.has(s.id)).toBe(false);
  });

  it('takes the list as the truth about which stores exist, but not about older copies', () => {
    const a = makeStore({ updated_at: '2025-01-01T12:00:00Z' });
    const b = makeStore();
    let c = upsertStore(upsertStore(emptyCache, { ...a, status: 'Ready', updated_at: '2025-01-01T13:00:00Z' }), b);
    c = replaceStores(c, [a]);
    expect([...c.byId.keys()]).toEqual([a.id]);
    expect(c.byId.get(a.id)?.status).toBe('Ready');
  });

  it('sorts newest first', () => {
    const old = makeStore({ created_at: '2024-01-01T00:00:00Z' });
    const recent = makeStore({ created_at: '2025-06-01T00:00:00Z' });
    const c = replaceStores(emptyCache, [old, recent]);
    expect(sortedStores(c).map((s) => s.id)).toEqual([recent.id, old.id]);
  });

  it('polls only while the stream is down and something is in progress', () => {
    const ready = makeStore({ status: 'Ready' });
    const pending = makeStore({ status: 'Pending' });
    expect(shouldPoll('open', [pending])).toBe(false);
    expect(shouldPoll('closed', [ready])).toBe(false);
    expect(shouldPoll('closed', [ready, pending])).toBe(true);
    expect(shouldPoll('unsupported', [makeStore({ status: 'Deleting' })])).toBe(true);
  });
});
