import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, formatBytes } from '../api';
import { ScrollArea } from '../components/scroll-area';
import { ErrorMessage, Loading } from '../components/status';

/** One run of POST /performance/workloads (the performance workload against this deployment). */
interface WorkloadRun {
  id: string;
  status: 'preparing' | 'running' | 'done' | 'failed';
  parameters: { clients: number; models: number; model_size_mb: number };
  started_by: string;
  progress: { completed: number; total: number };
  started_at: string;
  finished_at: string | null;
  components: { metadata: string; blobs: string };
  results: {
    requests: number;
    bytes: number;
    throughput_mbps: number;
    latency_ms: { mean: number; median: number; p99: number };
  } | null;
  error: string | null;
}

/** How often a run in progress is asked for its progress. */
const POLL_MS = 1000;

const FIELDS = [
  { name: 'clients', label: 'Concurrent clients', min: 1, max: 500, value: 100 },
  { name: 'models', label: 'Models in the registry', min: 1, max: 2000, value: 500 },
  { name: 'model_size_mb', label: 'Large model (MiB)', min: 1, max: 1024, value: 50 },
] as const;

function inProgress(run: WorkloadRun): boolean {
  return run.status === 'preparing' || run.status === 'running';
}

/**
 * For administrators: start the performance workload (models stored, then concurrent clients
 * downloading the large one over HTTP), watch its progress, read its results, and compare them
 * with earlier runs.
 */
export function WorkloadSection() {
  const ids = { heading: useId(), form: useId() };
  const queryClient = useQueryClient();
  const runs = useQuery({
    queryKey: ['workloads'],
    queryFn: ({ signal }) => api<WorkloadRun[]>('/performance/workloads', { signal }),
  });
  const [startedId, setStartedId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: (body: Record<string, number>) =>
      api<WorkloadRun>('/performance/workloads', { method: 'POST', body }),
    onSuccess: (run) => {
      queryClient.setQueryData(['workload', run.id], run);
      setStartedId(run.id);
    },
  });
  // The run started here, or one in progress when the page opened (perhaps started by someone else).
  const watchedId = startedId ?? runs.data?.find(inProgress)?.id ?? null;
  const watched = useQuery({
    queryKey: ['workload', watchedId],
    enabled: watchedId !== null,
    queryFn: ({ signal }) =>
      api<WorkloadRun>(`/performance/workloads/${encodeURIComponent(watchedId ?? '')}`, { signal }),
    refetchInterval: (query) => (query.state.data && !inProgress(query.state.data) ? false : POLL_MS),
  });
  const finished = watched.data && !inProgress(watched.data) ? watched.data.id : null;
  useEffect(() => {
    if (finished) queryClient.invalidateQueries({ queryKey: ['workloads'] });
  }, [finished, queryClient]);
  const latest = watched.data ?? runs.data?.[0];
  const busy = start.isPending || (watched.data !== undefined && inProgress(watched.data));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    start.mutate(Object.fromEntries(FIELDS.map((field) => [field.name, Number(form.get(field.name))])));
  }
  return (
    <section aria-labelledby={ids.heading} className="panel">
      <h2 id={ids.heading}>Performance workload</h2>
      <p>
        Stores the models a run needs (names starting with <code>perf-workload-</code>, kept for later runs),
        then the clients each download the large model at once over HTTP from this instance.
      </p>
      <form className="search-form" onSubmit={submit} aria-labelledby={ids.form}>
        <h3 id={ids.form} className="visually-hidden">
          Start a run
        </h3>
        {FIELDS.map((field) => (
          <WorkloadField key={field.name} {...field} />
        ))}
        <div className="actions">
          <button type="submit" disabled={busy}>
            Start the workload
          </button>
        </div>
      </form>
      {start.isError && <ErrorMessage title="The workload did not start" error={start.error} />}
      {latest ? <RunView run={latest} /> : runs.isPending && <Loading label="Loading the runs" />}
      {runs.isError ? (
        <ErrorMessage title="The earlier runs are not available" error={runs.error} />
      ) : (
        runs.data && runs.data.length > 0 && <RunTable runs={runs.data} />
      )}
    </section>
  );
}

function WorkloadField(props: { name: string; label: string; min: number; max: number; value: number }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="number"
        inputMode="numeric"
        min={props.min}
        max={props.max}
        step={1}
        defaultValue={props.value}
        required
      />
    </div>
  );
}

/** The run being watched (or the newest): its progress while it runs, then its results. */
function RunView({ run }: { run: WorkloadRun }) {
  const heading = useId();
  const bar = useId();
  const { completed, total } = run.progress;
  return (
    <section aria-labelledby={heading} className="run">
      <h3 id={heading}>Run of {new Date(run.started_at).toLocaleString()}</h3>
      <p aria-live="polite">
        <strong>{statusWords(run)}</strong> · {parametersWords(run)} · {storageWords(run)} · started by{' '}
        {run.started_by}
      </p>
      {inProgress(run) && (
        <div className="progress-row">
          <label htmlFor={bar}>
            {completed} of {total} downloads finished
          </label>
          <progress id={bar} max={total} value={run.status === 'preparing' ? undefined : completed} />
        </div>
      )}
      {run.status === 'failed' && (
        <p className="error" role="alert">
          {run.error ?? 'The run failed without a reason.'}
        </p>
      )}
      {run.results && (
        <dl className="facts">
          <div>
            <dt>Throughput</dt>
            <dd>{run.results.throughput_mbps.toFixed(1)} Mbit/s</dd>
          </div>
          <div>
            <dt>Mean latency</dt>
            <dd>{milliseconds(run.results.latency_ms.mean)}</dd>
          </div>
          <div>
            <dt>Median latency</dt>
            <dd>{milliseconds(run.results.latency_ms.median)}</dd>
          </div>
          <div>
            <dt>99th percentile latency</dt>
            <dd>{milliseconds(run.results.latency_ms.p99)}</dd>
          </div>
          <div>
            <dt>Downloads</dt>
            <dd>
              {run.results.requests} ({formatBytes(run.results.bytes)})
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function RunTable({ runs }: { runs: WorkloadRun[] }) {
  return (
    <ScrollArea className="table-scroll" label="Workload runs table">
      <table>
        <caption>Runs, newest first, for comparison</caption>
        <thead>
          <tr>
            {[
              'Started',
              'Status',
              'Clients',
              'Models',
              'Large model',
              'Storage',
              'Throughput',
              'Mean',
              'Median',
              'p99',
            ].map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td>{new Date(run.started_at).toLocaleString()}</td>
              <td>{run.status}</td>
              <td>{run.parameters.clients}</td>
              <td>{run.parameters.models}</td>
              <td>{run.parameters.model_size_mb} MiB</td>
              <td>{storageWords(run)}</td>
              <td>{run.results ? `${run.results.throughput_mbps.toFixed(1)} Mbit/s` : '—'}</td>
              <td>{run.results ? milliseconds(run.results.latency_ms.mean) : '—'}</td>
              <td>{run.results ? milliseconds(run.results.latency_ms.median) : '—'}</td>
              <td>{run.results ? milliseconds(run.results.latency_ms.p99) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
}

function statusWords(run: WorkloadRun): string {
  return {
    preparing: 'Preparing the models',
    running: 'Downloading',
    done: 'Done',
    failed: 'Failed',
  }[run.status];
}

function parametersWords(run: WorkloadRun): string {
  const p = run.parameters;
  return `${p.clients} clients, ${p.models} models, large model ${p.model_size_mb} MiB`;
}

function storageWords(run: WorkloadRun): string {
  return `${run.components.metadata} + ${run.components.blobs}`;
}

function milliseconds(ms: number): string {
  return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
