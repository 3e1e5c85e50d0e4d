import type { Outcome, RunSpec } from '../types.js';

export function run(_spec: RunSpec, _tokens: string[], _size?: number): Promise<Outcome> {
  return Promise.reject(new Error('pushwire is not wired in yet'));
}
