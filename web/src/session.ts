import { useSyncExternalStore } from 'react';

/** Who is signed in and what the registry lets them do (the UI hides what the API would refuse). */
export interface Session {
  token: string;
  name: string;
  isAdmin: boolean;
  canUpload: boolean;
  canSearch: boolean;
  canDownload: boolean;
}

/**
 * The token lives in sessionStorage: it survives a reload of this tab, is never shared with other
 * tabs or sent as a cookie, and is gone when the tab closes.
 */
const STORAGE_KEY = 'modelguard.session';

let current: Session | null = read();
/** Why the last session ended when the person did not sign out themselves. */
let endedBecause: string | null = null;
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as Session) : null;
  } catch {
    return null;
  }
}

function publish(): void {
  for (const listener of listeners) listener();
}

export const sessionStore = {
  get: (): Session | null => current,
  start(session: Session): void {
    current = session;
    endedBecause = null;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    publish();
  },
  /** Sign out; `reason` is shown on the sign-in page when the registry ended the session. */
  end(reason: string | null = null): void {
    if (current === null) return;
    current = null;
    endedBecause = reason;
    sessionStorage.removeItem(STORAGE_KEY);
    publish();
  },
  endedBecause: (): string | null => endedBecause,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | null {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
}
