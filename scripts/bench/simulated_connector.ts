/**
 * `@sim/NAME`: a host that does not exist, for measuring the engine at scale. Every
 * command takes `simLatencyMs` (host data, default 30) and succeeds with no output, as
 * a host where nothing is installed yet; batched fact reads get well-formed frames.
 * It is a benchmark instrument, never a stand-in for a real host in tests. It is not
 * one of tsinfra's connectors: the bench adds it with `--connectors
 * scripts/bench/sim_connectors.ts` (or `run({ connectors })`).
 *
 * @module
 */
import type { CommandOutput, Connector, RunOptions } from "../../src/core/connector.ts";
import type { StringCommand } from "../../src/core/command.ts";
import { setImmediate } from "node:timers";

const FRAME = /echo (__tsinfra_[0-9a-f]+):(\d+); echo/g;
/** The separator before facts read after a command (see `withTrailingFacts`). */
const TRAILING = /(__tsinfra_[0-9a-f]+):facts;/;

/** The simulated connector. */
export class SimulatedConnector implements Connector {
  readonly #latency: number;

  constructor(data: Readonly<Record<string, unknown>>) {
    this.#latency = typeof data.simLatencyMs === "number" ? data.simLatencyMs : 30;
  }

  #wait(): Promise<void> {
    // No latency: the next turn of the event loop, not a (clamped) timer.
    if (this.#latency <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => setTimeout(resolve, this.#latency));
  }

  async connect(): Promise<void> {
    await this.#wait();
  }

  async runShellCommand(command: StringCommand, _options: RunOptions): Promise<CommandOutput> {
    await this.#wait();
    return this.#answer(command);
  }

  /** Success with no output, and well-formed frames for any fact reads in the script. */
  #answer(command: StringCommand): CommandOutput {
    const raw = command.raw();
    const trailing = TRAILING.exec(raw);
    let stdout = trailing ? `\n${trailing[1]}:facts\n` : "";
    let stderr = stdout;
    for (const match of raw.matchAll(FRAME)) {
      stdout += `${match[1]}:${match[2]}\n\n${match[1]}:end:0\n`;
      stderr += `${match[1]}:${match[2]}\n${match[1]}:end\n`;
    }
    return { exitCode: 0, stdout, stderr, timedOut: false };
  }

  async writeFile(_path: string, _content: Uint8Array): Promise<void> {
    await this.#wait();
  }

  async readFile(_path: string): Promise<Uint8Array> {
    await this.#wait();
    return new Uint8Array();
  }

  async removeFile(_path: string): Promise<void> {
    await this.#wait();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
