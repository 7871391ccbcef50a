import { ApiError, type GateFailure } from '../api';
import { ErrorMessage } from './status';

/** A 424 from the ingest gate: which metrics failed, by how much, and why. Other errors as they are. */
export function CreateError({ error }: { error: unknown }) {
  const failing =
    error instanceof ApiError && error.status === 424
      ? (error.body.failing as GateFailure[] | undefined)
      : undefined;
  if (!failing) return <ErrorMessage title="The artifact was not added" error={error} />;
  return (
    <div className="error" role="alert">
      <p>
        <strong>The ingest gate refused this model.</strong> It was rated before anything was stored; these
        scores are below the policy:
      </p>
      <ul className="gate-failures">
        {failing.map((failure) => (
          <li key={failure.metric}>
            <strong>{failure.metric}</strong>: {failure.score.toFixed(2)} (needs {failure.threshold}).{' '}
            {failure.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
