/**
 * One client, one process: the parent forks this file per run, so CPU time and RSS
 * belong to the client under test alone. Receives a RunSpec over IPC, answers with a
 * RunResult, then exits.
 */
import { loadClient } from './clients/index.js';
import { startMeter } from './measure.js';
import { SELF_SOURCED, type Outcome, type RunResult, type RunSpec } from './types.js';
import { deviceTokens } from './workload.js';

process.once('message', (spec: RunSpec) => {
  void measure(spec).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

async function measure(spec: RunSpec): Promise<RunResult> {
  const run = await loadClient(spec.client);
  // A client with its own source (a generator, a file) gets none: 10M tokens would be 1 GB here.
  const tokens = SELF_SOURCED.includes(spec.client) ? [] : deviceTokens(spec.n);
  const meter = startMeter();
  let outcome: Outcome;
  try {
    outcome = await run(spec, tokens);
  } catch (error) {
    const reason = `threw: ${error instanceof Error ? error.message : String(error)}`;
    outcome = { ok: 0, failed: spec.n, failures: { [reason]: spec.n } };
  }
  // A client whose work ran in a process of its own (the CLI) reports that process's measures.
  const own = meter.stop();
  const measured = outcome.process ?? own;
  return { ...outcome, ...measured, client: spec.client, target: spec.target.name, n: spec.n };
}
