#!/usr/bin/env node
/**
 * The `pushwire` executable: runs the program on `process.argv` and exits
 * with its code once stdout and stderr are flushed.
 */
import { run } from './program.js';

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

const code = await run(process.argv);
await Promise.all([flush(process.stdout), flush(process.stderr)]);
// Exit explicitly: a command is done when it returns, even if a library
// left a timer or socket behind.
process.exit(code);
