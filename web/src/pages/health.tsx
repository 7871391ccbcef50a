import { useQuery } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { api } from '../api';
import { Page } from '../components/page';
import { ScrollArea } from '../components/scroll-area';
import { ErrorMessage, Loading } from '../components/status';
import { type ChartSeries, TimeChart } from '../components/time-chart';
import { useSession } from '../session';
import { WorkloadSection } from './health-workload';

interface TimelineEntry {
  bucket: string;
  value: number;
  errors?: number;
  mean_latency_ms?: number;
  max_latency_ms?: number;
}

interface Component {
  id: string;
  display_name: string;
  status: string;
  description: string;
  observed_at: string;
  metrics?: Record<string, unknown>;
  issues?: { code: string; severity: string; summary: string }[];
  timeline?: TimelineEntry[];
}

interface ComponentsReport {
  components: Component[];
  generated_at: string;
  window_minutes: number;
}

interface LogLine {
  time: string;
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

const WINDOW_MINUTES = 60;
const REFRESH_MS = 15_000;

export default function HealthPage() {
  const session = useSession();
  const report = useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) =>
      api<ComponentsReport>('/health/components', {
        query: { windowMinutes: String(WINDOW_MINUTES), includeTimeline: 'true' },
        signal,
      }),
    refetchInterval: REFRESH_MS,
  });
  return (
    <Page title="Registry health">
      <p className="muted" aria-live="off">
        This instance, the last hour; refreshed every {REFRESH_MS / 1000} seconds
        {report.data ? ` (last at ${new Date(report.data.generated_at).toLocaleTimeString()})` : ''}.
      </p>
      {report.isError ? (
        <ErrorMessage title="The health report is not available" error={report.error} />
      ) : report.data ? (
        <>
          <ComponentList components={report.data.components} />
          <Charts report={report.data} />
        </>
      ) : (
        <Loading label="Checking the components" minHeight="100vh" />
      )}
      {session?.isAdmin && <WorkloadSection />}
      {session?.isAdmin && <RecentLogs />}
    </Page>
  );
}

function ComponentList({ components }: { components: Component[] }) {
  const heading = useId();
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Components</h2>
      <ul className="component-list">
        {components.map((component) => (
          <li key={component.id} className="component">
            <h3>
              <span className={`status status-${component.status}`}>
                {component.status === 'ok' ? 'OK' : component.status}
              </span>{' '}
              {component.display_name}
            </h3>
            <p className="muted">{component.description}</p>
            <ComponentFacts component={component} />
            {(component.issues ?? []).map((issue) => (
              <p key={issue.code} className="error">
                {issue.severity}: {issue.summary}
              </p>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The headline numbers; per-route counts are in the OpenAPI answer for those who want them. */
function ComponentFacts({ component }: { component: Component }) {
  const m = component.metrics ?? {};
  const facts: [string, unknown][] =
    component.id === 'api'
      ? [
          ['Up for', m.uptime_seconds === undefined ? undefined : duration(Number(m.uptime_seconds))],
          ['Requests', m.total_requests],
          ['Server errors', m.error_responses],
          ['Clients', m.unique_clients],
        ]
      : [['Check took', m.check_latency_ms === undefined ? undefined : `${m.check_latency_ms} ms`]];
  return (
    <dl className="facts compact">
      {facts
        .filter(([, value]) => value !== undefined)
        .map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{String(value)}</dd>
          </div>
        ))}
    </dl>
  );
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** The last hour minute by minute; minutes without requests are zeros. */
function Charts({ report }: { report: ComponentsReport }) {
  const heading = useId();
  const timeline = report.components.find((c) => c.id === 'api')?.timeline ?? [];
  const data = useMemo(
    () => perMinute(timeline, report.generated_at, report.window_minutes),
    [timeline, report],
  );
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Requests, errors and latency</h2>
      <div className="chart-grid">
        <TimeChart title="Request rate" unit="requests/min" minutes={data.minutes} series={data.requests} />
        <TimeChart
          title="Server errors (5xx)"
          unit="errors/min"
          minutes={data.minutes}
          series={data.errors}
        />
        <TimeChart title="Latency" unit="ms" minutes={data.minutes} series={data.latency} />
      </div>
    </section>
  );
}

function perMinute(timeline: TimelineEntry[], generatedAt: string, windowMinutes: number) {
  const end = Math.floor(Date.parse(generatedAt) / 60_000);
  const byMinute = new Map(timeline.map((t) => [Math.floor(Date.parse(t.bucket) / 60_000), t]));
  const minutes: number[] = [];
  const columns = {
    requests: [] as number[],
    errors: [] as number[],
    mean: [] as number[],
    max: [] as number[],
  };
  for (let minute = end - windowMinutes + 1; minute <= end; minute++) {
    const entry = byMinute.get(minute);
    minutes.push(minute * 60);
    columns.requests.push(entry?.value ?? 0);
    columns.errors.push(entry?.errors ?? 0);
    columns.mean.push(entry?.mean_latency_ms ?? 0);
    columns.max.push(entry?.max_latency_ms ?? 0);
  }
  const series = (label: string, values: number[], color: string): ChartSeries => ({ label, values, color });
  return {
    minutes,
    requests: [series('Requests', columns.requests, '#1d4ed8')],
    errors: [series('5xx answers', columns.errors, '#b91c1c')],
    latency: [series('Mean', columns.mean, '#1d4ed8'), series('Slowest', columns.max, '#a16207')],
  };
}

function RecentLogs() {
  const heading = useId();
  const logs = useQuery({
    queryKey: ['logs'],
    queryFn: ({ signal }) => api<{ lines: LogLine[] }>('/health/logs', { query: { limit: '100' }, signal }),
    refetchInterval: REFRESH_MS,
  });
  return (
    <section aria-labelledby={heading} className="panel">
      <h2 id={heading}>Recent log lines</h2>
      {logs.isError ? (
        <ErrorMessage title="The log lines are not available" error={logs.error} />
      ) : logs.data ? (
        logs.data.lines.length === 0 ? (
          <p>Nothing logged at the configured level yet.</p>
        ) : (
          <ScrollArea className="log-scroll" label="Log lines, newest first">
            <ol className="log-lines" reversed>
              {[...logs.data.lines].reverse().map((line, index) => (
                // Lines have no id; the newest is first.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                <li key={index}>
                  <code>
                    {line.time} {line.level.toUpperCase()} {line.msg}{' '}
                    {Object.keys(line.fields).length > 0 ? JSON.stringify(line.fields) : ''}
                  </code>
                </li>
              ))}
            </ol>
          </ScrollArea>
        )
      ) : (
        <Loading label="Loading the log" minHeight="10rem" />
      )}
    </section>
  );
}
