import { readFile } from 'node:fs/promises';

const KB = 1024;
const MB = 1_000_000;

async function memoryOf(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * KB, hwm: kb('VmHWM') * KB };
}

/**
 * Samples a process's resident memory every `intervalMs` from /proc/<pid>/status, attributing
 * each sample to the current phase (e.g. "upload", "download"). `report()` gives, per phase,
 * the peak VmRSS seen and VmHWM (the kernel's own lifetime peak) at the phase's end, in MB (10^6 bytes).
 */
export function sampleRss(pid, intervalMs = 100) {
  const phases = new Map();
  let current = null;
  const record = async () => {
    const phase = current;
    if (!phase) return;
    const { rss, hwm } = await memoryOf(pid).catch(() => ({ rss: Number.NaN, hwm: Number.NaN }));
    if (Number.isFinite(rss)) phase.peakRss = Math.max(phase.peakRss, rss);
    if (Number.isFinite(hwm)) phase.hwm = hwm;
    phase.samples++;
  };
  const timer = setInterval(record, intervalMs);
  return {
    /** Closes the running phase (with a last sample) and opens `name`. */
    async phase(name) {
      await record();
      current = { peakRss: 0, hwm: Number.NaN, samples: 0 };
      phases.set(name, current);
      await record();
    },
    async stop() {
      await record();
      clearInterval(timer);
      current = null;
    },
    report() {
      return Object.fromEntries(
        [...phases].map(([name, p]) => [
          name,
          { peakRssMB: p.peakRss / MB, vmHwmMB: p.hwm / MB, samples: p.samples },
        ]),
      );
    },
  };
}
