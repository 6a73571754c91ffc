import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORE_STATUSES } from '../api/types';
import { makeStore } from '../test/fixtures';
import { StatusBadge, StoreProgress, stepLabel } from './StatusBadge';

describe('StatusBadge', () => {
  it.each(STORE_STATUSES)('says %s in text, not only in colour', (status) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByText(status, { exact: false });
    expect(badge).toHaveTextContent(`Status: ${status}`);
    expect(badge.querySelector('svg')).toHaveAttribute('aria-hidden', 'true');
  });
});

describe('progress', () => {
  it('names the current step as "step i of n"', () => {
    expect(stepLabel({ status: 'Provisioning', step: 'workloads', steps_done: 4, steps_total: 8 })).toBe('Step 5 of 8 · Starting the database and shop');
    expect(stepLabel({ status: 'Pending', step: null, steps_done: 0, steps_total: 8 })).toBeNull();
  });

  it('shows a labelled progress bar with the time spent on the current step', () => {
    // Created two days ago, failed, retried: the step began 75 s ago, and that is what counts
    // (the shared clock may lag a second behind).
    const now = Date.now();
    const store = makeStore({
      name: 'acme',
      status: 'Provisioning',
      step: 'release',
      steps_done: 3,
      steps_total: 8,
      created_at: new Date(now - 2 * 86400_000).toISOString(),
      step_started_at: new Date(now - 75_000).toISOString(),
    });
    render(<StoreProgress store={store} />);
    const bar = screen.getByRole('progressbar', { name: 'Provisioning progress of acme' });
    expect(bar).toHaveAttribute('aria-valuenow', '3');
    expect(bar).toHaveAttribute('aria-valuemax', '8');
    expect(screen.getByText(/Step 4 of 8 · Installing your store/)).toHaveTextContent(/· 1 min 1[4-6] s elapsed$/);
  });

  it('counts from creation while no step has started', () => {
    const created = new Date(Date.now() - 40_000).toISOString();
    render(<StoreProgress store={makeStore({ name: 'fresh', status: 'Pending', created_at: created, step_started_at: null })} />);
    expect(screen.getByText(/Waiting to start/)).toHaveTextContent(/· (39|40|41) s elapsed$/);
  });
});
