import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { resetConnectionForTests } from '../api/connection';

afterEach(() => {
  cleanup();
  resetConnectionForTests();
});
