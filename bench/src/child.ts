/**
 * One client, one process: the parent forks this file per run, so CPU time and RSS
 * belong to the client under test alone. Receives a RunSpec over IPC, answers with a
 * RunResult, then exits.
 */
import { loadClient } from './clients/index.js';
import { startMeter } from './measure.js';
import type { Outcome, RunResult, RunSpec } from './types.js';
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
  const tokens = deviceTokens(spec.n);
  const meter = startMeter();
  let outcome: Outcome;
  try {
    outcome = await run(spec, tokens);
  } catch (error) {
    const reason = `threw: ${error instanceof Error ? error.message : String(error)}`;
    outcome = { ok: 0, failed: spec.n, failures: { [reason]: spec.n } };
  }
  const measured = meter.stop();
  return { ...outcome, ...measured, client: spec.client, target: spec.target.name, n: spec.n };
}
