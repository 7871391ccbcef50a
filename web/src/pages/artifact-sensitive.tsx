import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useId, useState } from 'react';
import { ApiError, api, formatBytes } from '../api';
import { PagedTableSection } from '../components/paged-table-section';
import { ScrollArea } from '../components/scroll-area';
import { ErrorMessage, Loading } from '../components/status';

/** GET /artifacts/model/{id}/monitor (docs/security.md). */
interface MonitorProgram {
  program: string;
  sha256: string;
  size: number;
  uploaded_by: string;
  uploaded_at: string;
}

/** One entry of GET /artifacts/model/{id}/downloads. */
interface SensitiveDownload {
  username: string;
  at: string;
  allowed: boolean;
  exit_code: number | null;
  reason: string;
  stdout: string;
  part: string;
  duration_ms: number;
  reused: boolean;
}

function monitorPath(id: string): string {
  return `/artifacts/model/${encodeURIComponent(id)}/monitor`;
}

/** The query key of a model's sensitive-download history; a download attempt makes it stale. */
export function sensitiveDownloadsKey(id: string): string {
  return `sensitive-downloads/${id}`;
}

/**
 * For administrators: whether the model is sensitive (has a monitor program), the program itself,
 * and the means to upload, replace or remove it.
 */
export function MonitorSection({ id }: { id: string }) {
  const heading = useId();
  const monitor = useQuery({
    queryKey: ['monitor', id],
    queryFn: async ({ signal }) => {
      try {
        return await api<MonitorProgram>(monitorPath(id), { signal });
      } catch (error) {
        // The page has found the model, so a 404 here means it has no program.
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Sensitive model</h2>
      {monitor.isError ? (
        <ErrorMessage title="The monitor program cannot be read" error={monitor.error} />
      ) : monitor.data === undefined ? (
        <Loading label="Loading the monitor program" minHeight="12rem" />
      ) : (
        <>
          {monitor.data ? (
            <CurrentProgram id={id} program={monitor.data} />
          ) : (
            <p>
              <strong>Not sensitive.</strong> It has no monitor program: anyone with the download permission
              can download it.
            </p>
          )}
          <ProgramForm id={id} replacing={monitor.data !== null} />
        </>
      )}
    </section>
  );
}

function CurrentProgram({ id, program }: { id: string; program: MonitorProgram }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api<{ message: string }>(monitorPath(id), { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['monitor', id] }),
  });
  return (
    <div className="stack">
      <p>
        <strong>Sensitive.</strong> Its monitor program runs before every download and only exit code 0 lets
        the download go.
      </p>
      <dl className="facts">
        <div>
          <dt>Uploaded by</dt>
          <dd>{program.uploaded_by}</dd>
        </div>
        <div>
          <dt>Uploaded</dt>
          <dd>{new Date(program.uploaded_at).toLocaleString()}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(program.size)}</dd>
        </div>
        <div>
          <dt>SHA-256</dt>
          <dd>
            <code className="wrap">{program.sha256}</code>
          </dd>
        </div>
      </dl>
      <details>
        <summary>The monitor program</summary>
        <ScrollArea className="program-scroll" label="Monitor program source">
          <pre>
            <code>{program.program}</code>
          </pre>
        </ScrollArea>
      </details>
      <div className="actions">
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              onClick={() => remove.mutate()}
              disabled={remove.isPending}
            >
              Remove the program for good
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Remove the program…
          </button>
        )}
      </div>
      {remove.isError && <ErrorMessage title="The program was not removed" error={remove.error} />}
    </div>
  );
}

/** Paste a program or read it from a file (it shows in the text box either way), then store it. */
function ProgramForm({ id, replacing }: { id: string; replacing: boolean }) {
  const ids = { heading: useId(), program: useId(), file: useId(), hint: useId() };
  const queryClient = useQueryClient();
  const [program, setProgram] = useState('');
  const upload = useMutation({
    mutationFn: (source: string) =>
      api<{ message: string }>('/artifacts/JSProgramUpload', {
        method: 'POST',
        body: { artifact_id: id, js_program: source },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['monitor', id] }),
  });
  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) setProgram(await file.text());
  }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    upload.mutate(program);
  }
  const action = replacing ? 'Replace the program' : 'Upload a monitor program';
  return (
    <form className="stack program-form" onSubmit={submit} aria-labelledby={ids.heading}>
      <h3 id={ids.heading}>{action}</h3>
      <div className="field">
        <label htmlFor={ids.program}>Monitor program (JavaScript)</label>
        <textarea
          id={ids.program}
          value={program}
          onChange={(event) => setProgram(event.target.value)}
          rows={8}
          required
          spellCheck={false}
          autoComplete="off"
          aria-describedby={ids.hint}
        />
        <p id={ids.hint} className="hint">
          Runs in a sandbox as{' '}
          <code>node PROGRAM MODEL_NAME UPLOADER_USERNAME DOWNLOADER_USERNAME ZIP_FILE_PATH</code> before
          every download; exit code 0 allows it, anything else refuses it and shows what the program printed.
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.file}>Or read the program from a file</label>
        <input id={ids.file} type="file" accept=".js,.cjs,text/javascript" onChange={readFile} />
      </div>
      <div className="actions">
        <button type="submit" disabled={upload.isPending}>
          {action}
        </button>
      </div>
      <div aria-live="polite">{upload.data && <p className="verdict ok">{upload.data.message}</p>}</div>
      {upload.isError && <ErrorMessage title="The program was not stored" error={upload.error} />}
    </form>
  );
}

/** For administrators and the model's uploader: every download its monitor program judged. */
export function SensitiveDownloadsSection({ id }: { id: string }) {
  return (
    <PagedTableSection<SensitiveDownload>
      title="Sensitive downloads"
      path={`/artifacts/model/${encodeURIComponent(id)}/downloads`}
      queryKey={sensitiveDownloadsKey(id)}
      caption="Each request for this model's bytes while it had a monitor program, and the verdict, newest first"
      columns={['When', 'Who', 'What', 'Verdict', 'Exit code', 'Output', 'Took']}
      rows={(items) =>
        items.map((entry, index) => (
          // Entries have no id; their order is the history's.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          <tr key={index}>
            <td>{new Date(entry.at).toLocaleString()}</td>
            <td>{entry.username}</td>
            <td>{entry.part}</td>
            <td>
              {entry.allowed ? 'Allowed' : 'Refused'}
              {entry.reused ? ' (a resumed download, on the earlier verdict)' : ''}
            </td>
            <td>{entry.exit_code ?? `none (${entry.reason})`}</td>
            <td>{entry.stdout ? <code className="wrap">{entry.stdout}</code> : '—'}</td>
            <td>{entry.duration_ms} ms</td>
          </tr>
        ))
      }
      pager={{ first: 'Newest', next: 'Older' }}
      empty="No download of this model has been judged by a monitor program."
    />
  );
}
