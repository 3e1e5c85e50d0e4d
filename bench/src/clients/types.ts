import type { Outcome, RunSpec } from '../types.js';

/** Sends `tokens.length` notifications as the client under test would, and counts outcomes. */
export type ClientRun = (spec: RunSpec, tokens: string[]) => Promise<Outcome>;
