import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { api } from '../api';
import { Page } from '../components/page';
import { ErrorMessage } from '../components/status';
import { sessionStore, useSession } from '../session';
import { ConfusionAuditSection } from './admin-confusion';
import { SecurityAuditSection, UsersSection } from './admin-users';

export default function AdminPage() {
  const session = useSession();
  return (
    <Page title="Administration">
      {session?.isAdmin ? (
        <>
          <UsersSection />
          <SecurityAuditSection />
          <ConfusionAuditSection />
          <ResetSection />
        </>
      ) : (
        <p>Only administrators can use this page.</p>
      )}
    </Page>
  );
}

const CONFIRMATION = 'reset the registry';

/** Empties the registry; the person must type the confirmation phrase in a dialog first. */
function ResetSection() {
  const ids = { heading: useId(), title: useId(), input: useId(), hint: useId() };
  const dialog = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const reset = useMutation({
    mutationFn: () => api<unknown>('/reset', { method: 'DELETE' }),
    onSuccess: () => {
      dialog.current?.close();
      // Every token went with the old registry; the sign-in page says why.
      sessionStore.end('The registry was reset; sign in as the default administrator.');
    },
  });
  function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (typed === CONFIRMATION) reset.mutate();
  }
  return (
    <section aria-labelledby={ids.heading} className="panel">
      <h2 id={ids.heading}>Reset the registry</h2>
      <p>
        Deletes every artifact, package, rating, audit entry and user, and restores the default administrator.
        This cannot be undone.
      </p>
      <button
        type="button"
        className="danger"
        onClick={() => {
          setTyped('');
          reset.reset();
          dialog.current?.showModal();
        }}
      >
        Reset the registry…
      </button>
      <dialog ref={dialog} aria-labelledby={ids.title} className="dialog">
        <form onSubmit={confirm} className="stack">
          <h2 id={ids.title}>Reset the registry?</h2>
          <div className="field">
            <label htmlFor={ids.input}>Type “{CONFIRMATION}” to confirm</label>
            <input
              id={ids.input}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              aria-describedby={ids.hint}
            />
            <p id={ids.hint} className="hint">
              Everything in the registry is deleted.
            </p>
          </div>
          {reset.isError && <ErrorMessage title="The reset failed" error={reset.error} />}
          <div className="actions">
            <button type="submit" className="danger" disabled={typed !== CONFIRMATION || reset.isPending}>
              {reset.isPending ? 'Resetting…' : 'Delete everything'}
            </button>
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}
