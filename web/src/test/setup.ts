import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { resetConnectionForTests } from '../api/connection';
import { resetCheckoutChecksForTests } from '../state/checkoutCheck';

afterEach(() => {
  cleanup();
  resetConnectionForTests();
  resetCheckoutChecksForTests();
});

// jsdom has no layout or scrolling; the list virtualiser calls this.
window.scrollTo = (() => {}) as typeof window.scrollTo;
