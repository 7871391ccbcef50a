/**
 * A stack of teardown steps (kill a child, remove a temp dir) run in reverse order, whether the
 * benchmark succeeds, throws or is interrupted, so no process or file outlives a run.
 */
const steps = [];
let running = null; // the final unwind, shared by a signal and the normal exit

export function defer(step) {
  steps.push(step);
}

async function unwind(mark) {
  while (steps.length > mark) {
    const step = steps.pop();
    try {
      await step();
    } catch (error) {
      console.error(`cleanup step failed: ${error.message}`);
    }
  }
}

export function runCleanups() {
  running ??= unwind(0);
  return running;
}

/** Runs `work`, then tears down whatever it deferred (e.g. one storage combination's servers). */
export async function scoped(work) {
  const mark = steps.length;
  try {
    return await work();
  } finally {
    await unwind(mark);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    console.error(`\n${signal}: cleaning up`);
    await runCleanups();
    process.exit(130);
  });
}

/** Runs `main`, always cleans up, and sets the exit code from the outcome. */
export async function runMain(main) {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (error) {
    console.error(error.stack ?? error);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
}
