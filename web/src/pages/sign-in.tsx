import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, api } from '../api';
import { Page } from '../components/page';
import { ErrorMessage } from '../components/status';
import { type Session, sessionStore } from '../session';

interface UserInfo {
  user: { name: string; is_admin: boolean };
  permissions?: { can_upload?: boolean; can_search?: boolean; can_download?: boolean };
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const reason = params.get('reason');
  const next = params.get('next');

  async function signIn(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get('name') ?? '');
    setBusy(true);
    setError(null);
    try {
      const token = await api<string>('/authenticate', {
        method: 'PUT',
        body: { user: { name, is_admin: false }, secret: { password: String(form.get('password') ?? '') } },
      });
      sessionStore.start(await sessionFor(name, token));
      // Only paths inside this app: a crafted link must not send the person elsewhere.
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/search', { replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Page title="Sign in">
      {reason && (
        <div className="notice" role="alert">
          <p>
            <strong>You were signed out.</strong> {reason}
          </p>
        </div>
      )}
      <form className="stack narrow" onSubmit={signIn}>
        <div className="field">
          <label htmlFor="sign-in-name">User name</label>
          <input id="sign-in-name" name="name" autoComplete="username" required />
        </div>
        <div className="field">
          <label htmlFor="sign-in-password">Password</label>
          <input
            id="sign-in-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
        </div>
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
        {error !== null && <ErrorMessage title="Sign-in failed" error={error} />}
      </form>
    </Page>
  );
}

/**
 * What the signed-in user may do, from the users API (`GET /users/{name}`). Asked with the new
 * token before the session starts, so the header is drawn once, with its final links.
 */
async function sessionFor(name: string, token: string): Promise<Session> {
  try {
    const info = await api<UserInfo>(`/users/${encodeURIComponent(name)}`, { token });
    const admin = info.user.is_admin;
    return {
      token,
      name,
      isAdmin: admin,
      canUpload: admin || Boolean(info.permissions?.can_upload),
      canSearch: admin || Boolean(info.permissions?.can_search),
      canDownload: admin || Boolean(info.permissions?.can_download),
    };
  } catch (error) {
    // A registry without the users API has one account, the default administrator.
    if (error instanceof ApiError && error.status === 404) {
      return { token, name, isAdmin: true, canUpload: true, canSearch: true, canDownload: true };
    }
    throw error;
  }
}
