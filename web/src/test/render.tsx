// Renders the whole app (or a page) at a URL with the scripted server behind it.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { App } from '../App';

export function LocationProbe() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

export function renderApp(url = '/') {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <App />
      <Routes>
        <Route path="*" element={<LocationProbe />} />
      </Routes>
    </MemoryRouter>,
  );
}

export function renderAt(url: string, ui: ReactElement) {
  return render(<MemoryRouter initialEntries={[url]}>{ui}</MemoryRouter>);
}
