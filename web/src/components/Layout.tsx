// The frame around every signed-in page: brand, navigation, account, content.
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useSession } from '../state/session';
import { Button, cx } from './ui';

function NavItem({ to, children, end }: { to: string; children: string; end?: boolean }) {
  return (
    <NavLink
      to={to}
      end={end}
      className={({ isActive }) =>
        cx(
          'shrink-0 rounded-md px-3 py-1.5 text-sm font-medium',
          isActive ? 'bg-slate-900 text-white' : 'text-slate-700 hover:bg-slate-200/70',
        )
      }
    >
      {children}
    </NavLink>
  );
}

export function Layout() {
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);

  // After moving to another page, start keyboard and screen-reader users at its content
  // instead of leaving focus on a link that no longer exists.
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = '';
    mainRef.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  async function onSignOut() {
    setSigningOut(true);
    try {
      await signOut();
    } catch {
      // The local session is cleared either way.
    } finally {
      setSigningOut(false);
      navigate('/signin', { replace: true });
    }
  }

  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <NavLink to="/" className="flex items-center gap-2 text-base font-semibold text-slate-900">
            <Logo />
            Storefleet
          </NavLink>
          <nav aria-label="Main" className="order-3 -mx-1 flex w-full gap-1 overflow-x-auto px-1 sm:order-none sm:w-auto">
            <NavItem to="/" end>
              Stores
            </NavItem>
            {me?.role === 'admin' && (
              <>
                <NavItem to="/admin/users">Users</NavItem>
                <NavItem to="/admin/stores">All stores</NavItem>
                <NavItem to="/admin/audit">Audit log</NavItem>
                <NavItem to="/admin/fleet">Fleet upgrades</NavItem>
              </>
            )}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <span className="max-w-[45vw] min-w-0 truncate text-sm text-slate-600 sm:max-w-xs" title={me?.email} data-testid="account-email">
              <span className="sr-only">Signed in as </span>
              {me?.email}
            </span>
            <NavItem to="/account">Account</NavItem>
            {me?.role === 'admin' && (
              <span className="rounded bg-indigo-50 px-1.5 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-indigo-200">admin</span>
            )}
            <Button size="sm" variant="ghost" onClick={onSignOut} loading={signingOut}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main ref={mainRef} id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-6 sm:py-8 focus:outline-none">
        <Outlet />
      </main>
    </div>
  );
}

export function Logo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#4f46e5" />
      <path d="M8 12h16l-2 11H10z" fill="white" />
      <path d="M12 12a4 4 0 0 1 8 0" stroke="white" strokeWidth="2" fill="none" />
    </svg>
  );
}
