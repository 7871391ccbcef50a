const MB = 1_000_000;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Turns a raw `runLoad` result into the reported figures. */
export function summarize(load) {
  const sorted = [...load.latenciesMs].sort((a, b) => a - b);
  const seconds = load.durationMs / 1000;
  const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
  return {
    clients: load.clients,
    durationS: seconds,
    requestsPerS: load.windowRequests / seconds,
    mbPerS: load.windowBytes / MB / seconds,
    completed: sorted.length,
    latencyMs: {
      mean,
      median: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      min: sorted[0] ?? Number.NaN,
      max: sorted.at(-1) ?? Number.NaN,
    },
    verified: load.verified,
    corrupt: load.corrupt,
    errors: load.errors,
  };
}

/** Registry figure divided by nginx figure for each measure (1.0 = as good as nginx on throughput). */
export function ratios(registry, nginx) {
  return {
    requestsPerS: registry.requestsPerS / nginx.requestsPerS,
    mbPerS: registry.mbPerS / nginx.mbPerS,
    meanMs: registry.latencyMs.mean / nginx.latencyMs.mean,
    medianMs: registry.latencyMs.median / nginx.latencyMs.median,
    p99Ms: registry.latencyMs.p99 / nginx.latencyMs.p99,
  };
}

const fixed = (digits) => (value) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

const COLUMNS = [
  ['target', (row) => row.target],
  ['req/s', (row) => fixed(2)(row.requestsPerS)],
  ['MB/s', (row) => fixed(1)(row.mbPerS)],
  ['mean ms', (row) => fixed(0)(row.latencyMs.mean)],
  ['median ms', (row) => fixed(0)(row.latencyMs.median)],
  ['p99 ms', (row) => fixed(0)(row.latencyMs.p99)],
  ['done', (row) => String(row.completed)],
  ['verified', (row) => `${row.verified - row.corrupt}/${row.verified}`],
  ['errors', (row) => String(Object.values(row.errors).reduce((sum, n) => sum + n, 0))],
];

/** A plain-text table of summaries, each `{ target, ...summarize() }`. */
export function formatTable(rows) {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((cell, i) => cell.padStart(widths[i])).join('  ')).join('\n');
}

/** Ratio lines, e.g. "registry/nginx  req/s 0.41  MB/s 0.41 ...". */
export function formatRatios(label, r) {
  const parts = Object.entries(r).map(([key, value]) => `${key} ${fixed(2)(value)}`);
  return `${label}: ${parts.join('  ')}`;
}
