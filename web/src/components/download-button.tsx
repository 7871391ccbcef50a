import { useId, useRef, useState } from 'react';
import { ApiError, apiResponse, formatBytes } from '../api';
import { ErrorMessage } from './status';

interface Progress {
  received: number;
  total: number | null;
}

/**
 * Downloads with the session's token (a plain link cannot send X-Authorization), showing a
 * progress bar, then hands the bytes to the browser as a file. `onSettled` runs after every
 * attempt, allowed or refused (the audit trail and download history have changed).
 */
export function DownloadButton({
  url,
  label,
  fileName,
  onSettled,
}: {
  url: string;
  label: string;
  fileName: string;
  onSettled?: () => void;
}) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const labelId = useId();

  async function download() {
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setDone(false);
    setProgress({ received: 0, total: null });
    try {
      const response = await apiResponse(url, { signal: controller.signal });
      const length = Number(response.headers.get('content-length'));
      const total = Number.isFinite(length) && length > 0 ? length : null;
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let received = 0;
      const reader = response.body?.getReader();
      while (reader) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        chunks.push(value);
        received += value.byteLength;
        setProgress({ received, total });
      }
      save(new Blob(chunks, { type: 'application/zip' }), fileName);
      setDone(true);
    } catch (caught) {
      if (!controller.signal.aborted) setError(caught);
    } finally {
      setProgress(null);
      abort.current = null;
      onSettled?.();
    }
  }

  return (
    <div className="download">
      {progress ? (
        <div className="progress-row">
          <label id={labelId} htmlFor={`${labelId}-bar`}>
            Downloading {label}: {formatBytes(progress.received)}
            {progress.total ? ` of ${formatBytes(progress.total)}` : ''}
          </label>
          <progress
            id={`${labelId}-bar`}
            max={progress.total ?? undefined}
            value={progress.total ? progress.received : undefined}
          />
          <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" onClick={download}>
          Download {label}
        </button>
      )}
      <span role="status" className="muted">
        {done ? `Downloaded ${label}.` : ''}
      </span>
      {error !== null && (
        <ErrorMessage
          title={
            error instanceof ApiError && error.code === 'MONITOR_REFUSED'
              ? `The model's monitor program refused downloading ${label}`
              : `Downloading ${label} failed`
          }
          error={error}
        />
      )}
    </div>
  );
}

function save(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the save; the object URL is released after it has been read.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
