// Routes and the providers around them. Pages that most visits never open (store
// details, admin) load on demand to keep the first download small.
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { ConnectionBanner } from './components/ConnectionBanner';
import { Layout } from './components/Layout';
import { Alert, Button, LoadingBlock } from './components/ui';
import { SignInPage, SignUpPage } from './pages/Auth';
import { NotFoundPage } from './pages/NotFound';
import { StoresPage } from './pages/Stores';
import { AnnouncerProvider, ClearAnnouncementsOn } from './state/announcer';
import { SessionProvider, useSession } from './state/session';
import { StoresProvider } from './state/stores';

const StoreDetailsPage = lazy(() => import('./pages/StoreDetails'));
const AdminUsersPage = lazy(() => import('./pages/admin/Users'));
const AdminStoresPage = lazy(() => import('./pages/admin/AllStores'));
const AuditLogPage = lazy(() => import('./pages/admin/AuditLog'));
const FleetUpgradesPage = lazy(() => import('./pages/admin/FleetUpgrades'));
const RolloutPage = lazy(() => import('./pages/admin/FleetUpgrades').then((m) => ({ default: m.RolloutPage })));
const AccountPage = lazy(() => import('./pages/Account'));

export function App() {
  return (
    <AnnouncerProvider>
      <SessionProvider>
        <SessionAnnouncements />
        <ConnectionBanner />
        <Boot>
          <Routes>
            <Route path="/signin" element={<SignInPage />} />
            <Route path="/signup" element={<SignUpPage />} />
            <Route
              element={
                <RequireAuth>
                  <StoresProvider>
                    <Layout />
                  </StoresProvider>
                </RequireAuth>
              }
            >
              <Route index element={<StoresPage />} />
              <Route path="stores/:id" element={<Lazy><StoreDetailsPage /></Lazy>} />
              <Route path="account" element={<Lazy><AccountPage /></Lazy>} />
              <Route path="admin" element={<Navigate to="/admin/users" replace />} />
              <Route path="admin/users" element={<RequireAdmin><Lazy><AdminUsersPage /></Lazy></RequireAdmin>} />
              <Route path="admin/stores" element={<RequireAdmin><Lazy><AdminStoresPage /></Lazy></RequireAdmin>} />
              <Route path="admin/audit" element={<RequireAdmin><Lazy><AuditLogPage /></Lazy></RequireAdmin>} />
              <Route path="admin/fleet" element={<RequireAdmin><Lazy><FleetUpgradesPage /></Lazy></RequireAdmin>} />
              <Route path="admin/fleet/:id" element={<RequireAdmin><Lazy><RolloutPage /></Lazy></RequireAdmin>} />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </Boot>
      </SessionProvider>
    </AnnouncerProvider>
  );
}

/** Announcements of one person's session are not read out in the next one. */
function SessionAnnouncements() {
  const { me } = useSession();
  return <ClearAnnouncementsOn sessionKey={me?.id ?? null} />;
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<LoadingBlock label="Loading page" />}>{children}</Suspense>;
}

/** Holds the app until we know whether someone is signed in. */
function Boot({ children }: { children: ReactNode }) {
  const { status, bootError, retryBoot } = useSession();
  if (status === 'loading') {
    return (
      <main className="min-h-dvh">
        <LoadingBlock label="Starting Storefleet" />
      </main>
    );
  }
  if (status === 'unreachable') {
    return (
      <main className="mx-auto max-w-md px-4 py-24 text-center">
        <h1 className="text-xl font-semibold">Storefleet is not answering</h1>
        <p className="mt-2 text-sm text-slate-600">
          We could not reach the server. This page keeps retrying and continues by itself once the server is back.
        </p>
      </main>
    );
  }
  if (status === 'error') {
    return (
      <main className="mx-auto max-w-md px-4 py-24">
        <Alert tone="error" title="Storefleet could not start" action={<Button size="sm" onClick={retryBoot}>Try again</Button>}>
          {bootError}
        </Alert>
      </main>
    );
  }
  return <>{children}</>;
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const location = useLocation();
  if (!me) {
    const here = location.pathname + location.search + location.hash;
    const to = here === '/' ? '/signin' : `/signin?next=${encodeURIComponent(here)}`;
    return <Navigate to={to} replace />;
  }
  return <>{children}</>;
}

function RequireAdmin({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (me?.role !== 'admin') {
    return (
      <div className="py-12">
        <Alert tone="warning" title="Administrators only">
          This page is for platform administrators. Your account ({me?.email}) is a regular account.
        </Alert>
      </div>
    );
  }
  return <>{children}</>;
}
