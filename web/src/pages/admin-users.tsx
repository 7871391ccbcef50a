import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, apiResponse } from '../api';
import { ScrollArea } from '../components/scroll-area';
import { ErrorMessage, Loading } from '../components/status';

interface UserInfo {
  user: { name: string; is_admin: boolean };
  permissions: { can_upload?: boolean; can_search?: boolean; can_download?: boolean };
}

interface SecurityEvent {
  date: string;
  action: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  address: string | null;
  detail: string | null;
}

const FLAGS = [
  { key: 'can_upload', label: 'Upload' },
  { key: 'can_search', label: 'Search' },
  { key: 'can_download', label: 'Download' },
] as const;

/** One page of a list the API pages with the `offset` header. */
async function page<T>(path: string, offset: string | null, signal: AbortSignal) {
  const response = await apiResponse(path, { query: { offset: offset ?? undefined }, signal });
  return { items: (await response.json()) as T[], next: response.headers.get('offset') };
}

/** Users and what each may do (the users API), with the security audit trail. */
export function UsersSection() {
  const heading = useId();
  const [offset, setOffset] = useState<string | null>(null);
  const users = useQuery({
    queryKey: ['users', offset],
    queryFn: ({ signal }) => page<UserInfo>('/users', offset, signal),
  });
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Users and permissions</h2>
      {users.isError ? (
        <ErrorMessage title="The users cannot be listed" error={users.error} />
      ) : users.data ? (
        <>
          <ScrollArea className="table-scroll" label="Users table">
            <table>
              <caption className="visually-hidden">
                Users and their permissions; changes apply at once
              </caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Administrator</th>
                  {FLAGS.map((flag) => (
                    <th key={flag.key} scope="col">
                      {flag.label}
                    </th>
                  ))}
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((info) => (
                  <UserRow key={info.user.name} info={info} />
                ))}
              </tbody>
            </table>
          </ScrollArea>
          <div className="pager">
            {offset && (
              <button type="button" className="secondary" onClick={() => setOffset(null)}>
                First page
              </button>
            )}
            {users.data.next && (
              <button type="button" className="secondary" onClick={() => setOffset(users.data.next)}>
                Next page
              </button>
            )}
          </div>
        </>
      ) : (
        <Loading label="Loading the users" minHeight="8rem" />
      )}
      <CreateUserForm />
    </section>
  );
}

function UserRow({ info }: { info: UserInfo }) {
  const queryClient = useQueryClient();
  const name = info.user.name;
  const [confirming, setConfirming] = useState(false);
  const change = useMutation({
    mutationFn: (flags: Record<string, boolean>) =>
      api<UserInfo>(`/users/${encodeURIComponent(name)}/permissions`, { method: 'PUT', body: flags }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const remove = useMutation({
    mutationFn: () => api<unknown>(`/users/${encodeURIComponent(name)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const checkbox = (key: string, label: string, checked: boolean) => (
    <input
      type="checkbox"
      aria-label={`${label}: ${name}`}
      checked={checked}
      disabled={change.isPending}
      onChange={(event) => change.mutate({ [key]: event.target.checked })}
    />
  );
  return (
    <>
      <tr>
        <th scope="row">{name}</th>
        <td>{checkbox('is_admin', 'Administrator', info.user.is_admin)}</td>
        {FLAGS.map((flag) => (
          <td key={flag.key}>{checkbox(flag.key, flag.label, Boolean(info.permissions[flag.key]))}</td>
        ))}
        <td>
          {confirming ? (
            <span className="actions">
              <button
                type="button"
                className="danger"
                onClick={() => remove.mutate()}
                disabled={remove.isPending}
              >
                Delete {name} for good
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              Delete {name}…
            </button>
          )}
        </td>
      </tr>
      {(change.isError || remove.isError) && (
        <tr>
          <td colSpan={6}>
            <ErrorMessage title={`Changing ${name} failed`} error={change.error ?? remove.error} />
          </td>
        </tr>
      )}
    </>
  );
}

function CreateUserForm() {
  const ids = { heading: useId(), name: useId(), password: useId(), hint: useId() };
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: unknown) => api<UserInfo>('/users', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      user: { name: String(form.get('name') ?? ''), is_admin: form.get('is_admin') === 'on' },
      secret: { password: String(form.get('password') ?? '') },
      permissions: Object.fromEntries(FLAGS.map((flag) => [flag.key, form.get(flag.key) === 'on'])),
    });
  }
  return (
    <form className="stack create-user" onSubmit={submit} aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>Add a user</h3>
      <div className="search-form">
        <div className="field grow">
          <label htmlFor={ids.name}>New user's name</label>
          <input id={ids.name} name="name" required autoComplete="off" />
        </div>
        <div className="field grow">
          <label htmlFor={ids.password}>Initial password</label>
          <input
            id={ids.password}
            name="password"
            type="password"
            required
            autoComplete="new-password"
            aria-describedby={ids.hint}
          />
          <p id={ids.hint} className="hint">
            At least 12 characters, not the user name, not a common password.
          </p>
        </div>
      </div>
      <fieldset className="inline">
        <legend>May</legend>
        <label>
          <input type="checkbox" name="is_admin" /> administer
        </label>
        {FLAGS.map((flag) => (
          <label key={flag.key}>
            <input type="checkbox" name={flag.key} /> {flag.label.toLowerCase()}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Add user
        </button>
      </div>
      <div aria-live="polite">
        {create.data && <p className="verdict ok">Added {create.data.user.name}.</p>}
      </div>
      {create.isError && <ErrorMessage title="The user was not added" error={create.error} />}
    </form>
  );
}

/** Sign-ins and user changes, newest first (the security audit trail). */
export function SecurityAuditSection() {
  const heading = useId();
  const [offset, setOffset] = useState<string | null>(null);
  const events = useQuery({
    queryKey: ['security-audit', offset],
    queryFn: ({ signal }) => page<SecurityEvent>('/audit/security', offset, signal),
  });
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Security audit trail</h2>
      {events.isError ? (
        <ErrorMessage title="The security audit trail is not available" error={events.error} />
      ) : events.data ? (
        <>
          <ScrollArea className="table-scroll" label="Security audit table">
            <table>
              <caption className="visually-hidden">Sign-ins and user changes, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">By</th>
                  <th scope="col">About</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {events.data.items.map((event, index) => (
                  // Events have no id; their order is the trail's.
                  // biome-ignore lint/suspicious/noArrayIndexKey: see above
                  <tr key={index}>
                    <td>{new Date(event.date).toLocaleString()}</td>
                    <td>{event.action}</td>
                    <td>{event.outcome}</td>
                    <td>{event.actor ?? '—'}</td>
                    <td>{event.subject ?? '—'}</td>
                    <td>{event.address ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
          <div className="pager">
            {offset && (
              <button type="button" className="secondary" onClick={() => setOffset(null)}>
                Newest
              </button>
            )}
            {events.data.next && (
              <button type="button" className="secondary" onClick={() => setOffset(events.data.next)}>
                Older
              </button>
            )}
          </div>
        </>
      ) : (
        <Loading label="Loading the security audit trail" minHeight="8rem" />
      )}
    </section>
  );
}
