import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { resetConnectionForTests } from '../api/connection';

// findBy…/waitFor wait up to 5 s: on a loaded machine the first render of a lazy page
// alone can take more than the default second.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  resetConnectionForTests();
});

// jsdom has no layout or scrolling; the list virtualiser calls this.
window.scrollTo = (() => {}) as typeof window.scrollTo;
