/**
 * The driver's handle on the soak's mock-server child: start, commands,
 * restart on the same port, and the server-side accepted total summed over
 * every incarnation.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Ready, Reply, ServerSetup } from './protocol.js';

const CHILD = fileURLToPath(new URL('./server-child.js', import.meta.url));

type Op = Command extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

/** One mock server at a time, restartable; commands time out rather than hang the soak. */
export class ServerProcess {
  readonly #setup: ServerSetup;
  #child: ChildProcess | undefined;
  #nextId = 1;
  readonly #waiting = new Map<number, (reply: Reply | Error) => void>();
  /** Accepted 200s of the incarnations already stopped. */
  #acceptedBefore = 0;
  #lastReply: Reply | undefined;
  #origin = '';
  #restarts = 0;

  constructor(setup: ServerSetup) {
    this.#setup = setup;
  }

  get origin(): string {
    return this.#origin;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** Server RSS at the last reply (bytes). */
  get lastRss(): number {
    return this.#lastReply?.rss ?? 0;
  }

  /** Starts the child and resolves once its server listens. */
  async start(): Promise<void> {
    const child = fork(CHILD, [JSON.stringify(this.#setup)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child = child;
    child.on('message', (message: Reply | Ready) => {
      if ('ready' in message) return;
      this.#lastReply = message;
      this.#waiting.get(message.id)?.(message);
      this.#waiting.delete(message.id);
    });
    child.on('exit', () => {
      for (const settle of this.#waiting.values()) settle(new Error('server child exited'));
      this.#waiting.clear();
    });
    this.#origin = await new Promise<string>((resolve, reject) => {
      const onMessage = (message: Reply | Ready): void => {
        if ('ready' in message) {
          child.off('message', onMessage);
          resolve(message.origin);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`server child exited (${code}) before listening`)));
    });
  }

  /** Sends a command; resolves with the reply, or rejects after 10 s or if the child dies. */
  command(op: Op): Promise<Reply> {
    const child = this.#child;
    if (!child?.connected) return Promise.reject(new Error('no server child'));
    const id = this.#nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`server command ${op.op} got no reply in 10 s`));
      }, 10_000);
      this.#waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      });
      child.send({ ...op, id });
    });
  }

  /** Accepted 200s over every incarnation, the running one included. */
  async accepted(): Promise<number> {
    const reply = await this.command({ op: 'count' });
    return this.#acceptedBefore + reply.accepted;
  }

  /** Stops the server (connections destroyed), keeps its final count, and waits for the child to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    const reply = await this.command({ op: 'stop' });
    this.#acceptedBefore += reply.accepted;
    child.disconnect();
    await exited;
    this.#child = undefined;
  }

  /** Stop, wait `downMs` with nothing listening, start again on the same port. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
    this.#restarts++;
  }
}
