import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  ARTIFACT_TYPES,
  type Artifact,
  type ArtifactType,
  api,
  artifactPath,
  errorOf,
  formatBytes,
} from '../api';
import { CreateError } from '../components/gate-refusal';
import { Page } from '../components/page';
import { ErrorMessage } from '../components/status';
import { sessionStore, useSession } from '../session';

export default function AddPage() {
  const session = useSession();
  return (
    <Page title="Add an artifact">
      {session?.canUpload ? (
        <>
          <UploadSection />
          <FromUrlSection />
        </>
      ) : (
        <p>You do not have the upload permission, so you cannot add artifacts.</p>
      )}
    </Page>
  );
}

function TypeSelect({ id }: { id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Type</label>
      <select id={id} name="type" defaultValue="model">
        {ARTIFACT_TYPES.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
    </div>
  );
}

function Created({ artifact }: { artifact: Artifact }) {
  return (
    <p className="verdict ok">
      Added{' '}
      <Link to={artifactPath(artifact.metadata.type, artifact.metadata.id)}>{artifact.metadata.name}</Link>.
    </p>
  );
}

interface Upload {
  sent: number;
  total: number;
}

/** Upload a zip (the upload extension) with a progress bar and a cancel button. */
function UploadSection() {
  const ids = {
    heading: useId(),
    type: useId(),
    name: useId(),
    version: useId(),
    file: useId(),
    bar: useId(),
  };
  const [progress, setProgress] = useState<Upload | null>(null);
  const [result, setResult] = useState<{ artifact?: Artifact; error?: unknown; cancelled?: boolean } | null>(
    null,
  );
  const request = useRef<XMLHttpRequest | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) return;
    const query = new URLSearchParams({ name: String(form.get('name') ?? '') });
    const version = String(form.get('version') ?? '').trim();
    if (version) query.set('version', version);
    // XMLHttpRequest, not fetch: only it reports upload progress.
    const xhr = new XMLHttpRequest();
    request.current = xhr;
    xhr.open('POST', `/artifact/${String(form.get('type'))}/upload?${query}`);
    xhr.setRequestHeader('content-type', 'application/zip');
    xhr.setRequestHeader('x-authorization', sessionStore.get()?.token ?? '');
    xhr.upload.onprogress = (e) =>
      setProgress({ sent: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onload = async () => {
      const response = new Response(xhr.responseText, { status: xhr.status });
      if (xhr.status === 201) setResult({ artifact: (await response.json()) as Artifact });
      else setResult({ error: await errorOf(response) });
      setProgress(null);
    };
    xhr.onerror = () => {
      setResult({ error: new Error('The upload was interrupted (network error).') });
      setProgress(null);
    };
    xhr.onabort = () => {
      setResult({ cancelled: true });
      setProgress(null);
    };
    setResult(null);
    setProgress({ sent: 0, total: file.size });
    xhr.send(file);
  }

  return (
    <section aria-labelledby={ids.heading} className="panel">
      <h2 id={ids.heading}>Upload a package</h2>
      <form className="search-form" onSubmit={submit}>
        <TypeSelect id={ids.type} />
        <div className="field grow">
          <label htmlFor={ids.name}>Name</label>
          <input id={ids.name} name="name" required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={ids.version}>Version (optional)</label>
          <input id={ids.version} name="version" placeholder="1.0.0" autoComplete="off" />
        </div>
        <div className="field grow">
          <label htmlFor={ids.file}>Zip file</label>
          <input id={ids.file} name="file" type="file" accept=".zip,application/zip" required />
        </div>
        <div className="actions">
          <button type="submit" disabled={progress !== null}>
            Upload
          </button>
        </div>
      </form>
      {progress && (
        <div className="progress-row">
          <label htmlFor={ids.bar}>
            Uploading: {formatBytes(progress.sent)} of {formatBytes(progress.total)}
          </label>
          <progress id={ids.bar} max={progress.total} value={progress.sent} />
          <button type="button" className="secondary" onClick={() => request.current?.abort()}>
            Cancel upload
          </button>
        </div>
      )}
      <div aria-live="polite">
        {result?.artifact && <Created artifact={result.artifact} />}
        {result?.cancelled && <p>The upload was cancelled; nothing was stored.</p>}
      </div>
      {result?.error !== undefined && <ErrorMessage title="The upload failed" error={result.error} />}
    </section>
  );
}

/** Register from a Hugging Face, GitHub or zip URL; public models go through the ingest gate. */
function FromUrlSection() {
  const ids = { heading: useId(), type: useId(), url: useId(), hint: useId() };
  const abort = useRef<AbortController | null>(null);
  const create = useMutation({
    mutationFn: ({ type, url }: { type: ArtifactType; url: string }) => {
      abort.current = new AbortController();
      return api<Artifact>(`/artifact/${type}`, {
        method: 'POST',
        body: { url },
        signal: abort.current.signal,
      });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ type: form.get('type') as ArtifactType, url: String(form.get('url') ?? '').trim() });
  }
  const cancelled = create.error instanceof DOMException && create.error.name === 'AbortError';
  return (
    <section aria-labelledby={ids.heading} className="panel">
      <h2 id={ids.heading}>Register from a URL</h2>
      <form className="search-form" onSubmit={submit}>
        <TypeSelect id={ids.type} />
        <div className="field grow">
          <label htmlFor={ids.url}>Source URL</label>
          <input id={ids.url} name="url" type="url" required aria-describedby={ids.hint} />
          <p id={ids.hint} className="hint">
            A Hugging Face model or dataset page, a GitHub repository, or a direct link to a zip.
          </p>
        </div>
        <div className="actions">
          <button type="submit" disabled={create.isPending}>
            {create.isPending ? 'Registering…' : 'Register'}
          </button>
          {create.isPending && (
            <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
              Stop waiting
            </button>
          )}
        </div>
      </form>
      <div aria-live="polite">
        {create.isPending && <p>Fetching and checking the source; large repositories take a while.</p>}
        {create.data && <Created artifact={create.data} />}
        {cancelled && <p>Stopped waiting. The registry may still finish the ingest; search for it later.</p>}
      </div>
      {create.isError && !cancelled && <CreateError error={create.error} />}
    </section>
  );
}
