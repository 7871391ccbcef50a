import { useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect } from 'react';
import { Link, Navigate, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { Loading } from './components/status';
import { NotFoundPage } from './pages/not-found';
import { SearchPage } from './pages/search';
import { SignInPage } from './pages/sign-in';
import { type Session, sessionStore, useSession } from './session';

// Pages with heavier libraries (graph layout, charts) load when first opened.
const ArtifactPage = lazy(() => import('./pages/artifact'));
const AddPage = lazy(() => import('./pages/add'));
const AdminPage = lazy(() => import('./pages/admin'));
const HealthPage = lazy(() => import('./pages/health'));

export function App() {
  const session = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header session={session} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading the page" />}>
          <Routes>
            <Route path="/sign-in" element={<SignInPage />} />
            <Route path="/status" element={<HealthPage />} />
            <Route path="/" element={<Navigate to="/search" replace />} />
            <Route path="/search" element={<SignedIn>{<SearchPage />}</SignedIn>} />
            <Route path="/add" element={<SignedIn>{<AddPage />}</SignedIn>} />
            <Route path="/admin" element={<SignedIn>{<AdminPage />}</SignedIn>} />
            <Route path="/:type/:id" element={<SignedIn>{<ArtifactPage />}</SignedIn>} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
      <footer className="site-footer">
        <p>
          ModelGuard registry · <a href="/docs">API documentation</a>
        </p>
      </footer>
    </>
  );
}

/** Pages behind sign-in send the person there, remembering where they were going and why. */
function SignedIn({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session) return children;
  const params = new URLSearchParams({ next: location.pathname + location.search });
  const reason = sessionStore.endedBecause();
  if (reason) params.set('reason', reason);
  return <Navigate to={`/sign-in?${params}`} replace />;
}

function Header({ session }: { session: Session | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // Nothing cached for one person may be shown to the next.
  useEffect(() => {
    if (!session) queryClient.clear();
  }, [session, queryClient]);
  return (
    <header className="site-header">
      <Link to="/search" className="brand">
        ModelGuard
      </Link>
      <nav aria-label="Main">
        <ul>
          {session && (
            <li>
              <NavLink to="/search">Search</NavLink>
            </li>
          )}
          {session?.canUpload && (
            <li>
              <NavLink to="/add">Add artifact</NavLink>
            </li>
          )}
          <li>
            <NavLink to="/status">Health</NavLink>
          </li>
          {session?.isAdmin && (
            <li>
              <NavLink to="/admin">Administration</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <div className="account">
        {session ? (
          <>
            <span className="user-name">{session.name}</span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                // Leave first: signing out is not a reason to come back to this page after signing in.
                navigate('/sign-in');
                sessionStore.end();
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <Link to="/sign-in">Sign in</Link>
        )}
      </div>
    </header>
  );
}
