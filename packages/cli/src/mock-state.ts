/**
 * How `pushwire send --env mock` finds a running `pushwire mock`: the mock
 * writes a small JSON file (origin, CA path, signing key ids and key path;
 * never the key itself) and removes it when it stops.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { badInput } from './exit-codes.js';

/** What a running mock server publishes. */
export interface MockState {
  readonly origin: string;
  /** PEM file of the CA that signed the mock's certificate. */
  readonly caPath: string;
  readonly keyId: string;
  readonly teamId: string;
  /** The mock's test signing key (.p8), mode 0600. */
  readonly keyPath: string;
  readonly pid: number;
}

/** `PUSHWIRE_MOCK_STATE`, or `pushwire-mock.json` in the temp directory. */
export function mockStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PUSHWIRE_MOCK_STATE ?? join(tmpdir(), 'pushwire-mock.json');
}

/** Publishes `state` (mode 0600). */
export async function writeMockState(state: MockState, path = mockStatePath()): Promise<void> {
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Removes the state file if it still describes this process's mock. */
export async function removeMockState(path = mockStatePath()): Promise<void> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as Partial<MockState>;
    if (state.pid !== process.pid) return;
  } catch {
    return;
  }
  await rm(path, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * The running mock's state.
 * @throws {CliError} bad input when no mock is running.
 */
export async function readMockState(path = mockStatePath()): Promise<MockState> {
  let state: MockState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as MockState;
  } catch {
    throw badInput(`--env mock: no running mock server found (${path}); start one with \`pushwire mock\``);
  }
  if (typeof state.origin !== 'string' || typeof state.pid !== 'number' || !alive(state.pid)) {
    throw badInput(`--env mock: the mock server recorded in ${path} is not running; start one with \`pushwire mock\``);
  }
  return state;
}
