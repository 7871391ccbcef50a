import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api';
import { PagedTableSection } from '../components/paged-table-section';
import { ErrorMessage } from '../components/status';

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

/** Users and what each may do (the users API), with a form to add one. */
export function UsersSection() {
  return (
    <PagedTableSection<UserInfo>
      title="Users and permissions"
      path="/users"
      queryKey="users"
      caption="Users and their permissions; changes apply at once"
      columns={[
        'User',
        'Administrator',
        ...FLAGS.map((flag) => flag.label),
        <span key="actions" className="visually-hidden">
          Actions
        </span>,
      ]}
      rows={(items) => items.map((info) => <UserRow key={info.user.name} info={info} />)}
      pager={{ first: 'First page', next: 'Next page' }}
    >
      <CreateUserForm />
    </PagedTableSection>
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
  return (
    <PagedTableSection<SecurityEvent>
      title="Security audit trail"
      path="/audit/security"
      queryKey="security-audit"
      caption="Sign-ins and user changes, newest first"
      columns={['When', 'What', 'Outcome', 'By', 'About', 'From']}
      rows={(items) =>
        items.map((event, index) => (
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
        ))
      }
      pager={{ first: 'Newest', next: 'Older' }}
    />
  );
}
