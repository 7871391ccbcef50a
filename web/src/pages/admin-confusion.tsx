import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'react-router';
// The answer's type is the service's own (a type-only import: nothing of the server is bundled).
import type { SuspectedModel } from '../../../src/services/confusion-audit.js';
import { api, artifactPath } from '../api';
import { ScoreBar } from '../components/rating';
import { ErrorMessage, Loading } from '../components/status';

const SIGNALS: Record<string, string> = {
  name: 'Name',
  popularity: 'Popularity',
  'bot-downloads': 'Bot-like downloads',
};

/**
 * The package-confusion audit: an administrator runs it (it reads every model, so it runs on
 * request rather than on opening the page) and sees each suspect with its score, the model it
 * imitates and the evidence.
 */
export function ConfusionAuditSection() {
  const heading = useId();
  const audit = useMutation({
    mutationFn: () =>
      api<{ suspected: SuspectedModel[] }>('/artifacts/PackageConfusionAudit', { method: 'POST' }),
  });
  const suspected = audit.data?.suspected;
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Package-confusion audit</h2>
      <p>
        Finds models whose name imitates a far more popular model's (look-alike characters, case or delimiter
        changes, one-character edits, added words, look-alike organisations), supported by far lower
        popularity or bot-like downloads. Scores run from 0 to 1; models at 0.6 or more are listed.
      </p>
      <div className="actions">
        <button type="button" onClick={() => audit.mutate()} disabled={audit.isPending}>
          {suspected ? 'Run the audit again' : 'Run the audit'}
        </button>
      </div>
      <div aria-live="polite" className="audit-summary">
        {audit.isPending ? (
          <Loading label="Auditing every model" />
        ) : suspected ? (
          <p>
            <strong>
              {suspected.length === 0
                ? 'No model is suspected.'
                : `${suspected.length} suspected ${suspected.length === 1 ? 'model' : 'models'}, highest score first.`}
            </strong>
          </p>
        ) : null}
      </div>
      {audit.isError && <ErrorMessage title="The audit failed" error={audit.error} />}
      {suspected && suspected.length > 0 && (
        <ol className="suspect-list">
          {suspected.map((model) => (
            <Suspect key={model.artifact_id} model={model} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Suspect({ model }: { model: SuspectedModel }) {
  const { imitates, reasons, score } = model.metadata;
  return (
    <li className="suspect">
      <h3>
        <Link to={artifactPath('model', model.artifact_id)}>{model.name}</Link>
      </h3>
      <p className="wrap">
        Imitates <Link to={artifactPath('model', imitates.artifact_id)}>{imitates.name}</Link>{' '}
        <span className="muted">({imitates.source_url})</span>
      </p>
      <p className="muted wrap">Source: {model.source_url}</p>
      <ScoreBar label="Suspicion score" score={score} />
      <ul className="evidence">
        {reasons.map((reason) => (
          <li key={`${reason.signal}:${reason.kind}:${reason.detail}`}>
            <span className="badge">{SIGNALS[reason.signal] ?? reason.signal}</span>{' '}
            <span className="muted">{reason.kind.replaceAll('-', ' ')}</span>: {reason.detail}{' '}
            <span className="muted">(strength {reason.strength.toFixed(2)})</span>
          </li>
        ))}
      </ul>
    </li>
  );
}
