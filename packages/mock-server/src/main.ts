#!/usr/bin/env node
/**
 * `node dist/main.js [--port N] [--faults faults.json] ...`: runs the mock
 * APNs server until SIGINT/SIGTERM. See {@link runMockServer}.
 */
import { runMockServer } from './cli.js';

try {
  const running = await runMockServer(process.argv.slice(2));
  if (running) {
    const stop = (): void => {
      void running.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
} catch (error) {
  process.stderr.write(`mock-server: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
