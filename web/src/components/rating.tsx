import type { DeviceScores, ExplainedRating } from '../api';

const METRICS: { key: string; label: string }[] = [
  { key: 'ramp_up_time', label: 'Ramp-up time' },
  { key: 'bus_factor', label: 'Bus factor' },
  { key: 'performance_claims', label: 'Performance claims' },
  { key: 'license', label: 'License' },
  { key: 'dataset_and_code_score', label: 'Dataset and code' },
  { key: 'dataset_quality', label: 'Dataset quality' },
  { key: 'code_quality', label: 'Code quality' },
  { key: 'reproducibility', label: 'Reproducibility' },
  { key: 'reviewedness', label: 'Reviewedness' },
  { key: 'tree_score', label: 'Tree score (parents)' },
];

const DEVICES: { key: keyof DeviceScores; label: string }[] = [
  { key: 'raspberry_pi', label: 'Raspberry Pi' },
  { key: 'jetson_nano', label: 'Jetson Nano' },
  { key: 'desktop_pc', label: 'Desktop PC' },
  { key: 'aws_server', label: 'AWS server' },
];

/** One bar per metric with its score, latency and the reason behind the score. */
export function RatingBars({ rating }: { rating: ExplainedRating }) {
  return (
    <>
      <p className="net-score">
        Net score <strong>{rating.net_score.toFixed(2)}</strong> · category {rating.category} · computed in{' '}
        {formatSeconds(rating.net_score_latency)}
      </p>
      <ul className="metric-list">
        {METRICS.map(({ key, label }) => {
          const score = Number(rating[key]);
          return (
            <li key={key} className="metric">
              <ScoreBar label={label} score={score} latency={Number(rating[`${key}_latency`])} />
              <p className="reason">{rating.reasons[key]}</p>
            </li>
          );
        })}
        <li className="metric">
          <h3 className="metric-name">Size (per device)</h3>
          {DEVICES.map(({ key, label }) => (
            <ScoreBar key={key} label={label} score={rating.size_score[key]} />
          ))}
          <p className="muted">Computed in {formatSeconds(Number(rating.size_score_latency))}</p>
          <p className="reason">{rating.reasons.size_score}</p>
        </li>
      </ul>
    </>
  );
}

/** A score in [0, 1] as a bar; the number beside it is the text alternative (the bar is hidden from readers). */
export function ScoreBar({ label, score, latency }: { label: string; score: number; latency?: number }) {
  const applicable = score >= 0;
  return (
    <div className="bar-row">
      <span className="metric-name">{label}</span>
      <span className="bar" aria-hidden="true">
        <span className="bar-fill" style={{ width: `${applicable ? score * 100 : 0}%` }} />
      </span>
      <span className="bar-value">
        {applicable ? score.toFixed(2) : 'n/a'}
        {latency !== undefined && <span className="muted"> · {formatSeconds(latency)}</span>}
      </span>
    </div>
  );
}

function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
}
