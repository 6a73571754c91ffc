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
    expect(stepLabel({ status: 'Provisioning', step: 'workloads', steps_done: 4, steps_total: 8 })).toBe('Step 5 of 8 · workloads');
    expect(stepLabel({ status: 'Pending', step: null, steps_done: null, steps_total: null })).toBeNull();
  });

  it('shows a labelled progress bar with the elapsed time', () => {
    const created = new Date(Date.now() - 75_000).toISOString();
    render(<StoreProgress store={makeStore({ name: 'acme', status: 'Provisioning', step: 'release', steps_done: 3, steps_total: 8, created_at: created })} />);
    const bar = screen.getByRole('progressbar', { name: 'Provisioning progress of acme' });
    expect(bar).toHaveAttribute('aria-valuenow', '3');
    expect(bar).toHaveAttribute('aria-valuemax', '8');
    expect(screen.getByText(/Step 4 of 8 · release/)).toHaveTextContent(/1 min 1[5-6] s elapsed/);
  });
});
