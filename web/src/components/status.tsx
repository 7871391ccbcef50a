import { ApiError } from '../api';

/** A polite busy message; `minHeight` reserves the space the content will take (no layout shift). */
export function Loading({ label, minHeight }: { label: string; minHeight?: string }) {
  return (
    <p className="loading" role="status" style={minHeight ? { minHeight } : undefined}>
      {label}…
    </p>
  );
}

/** An error from the registry, in its own words. */
export function ErrorMessage({ error, title }: { error: unknown; title: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? ` (${error.status} ${error.code})` : '';
  return (
    <div className="error" role="alert">
      <p>
        <strong>{title}</strong>
        {code}
      </p>
      <p>{message}</p>
    </div>
  );
}
