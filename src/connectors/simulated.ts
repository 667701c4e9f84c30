/**
 * `@sim/NAME`: a host that does not exist, for measuring the engine at scale. Every
 * command takes `simLatencyMs` (host data, default 30) and succeeds with no output, as
 * a host where nothing is installed yet; batched fact reads get well-formed frames.
 * It is a benchmark instrument, never a stand-in for a real host in tests.
 *
 * @module
 */
import type { CommandOutput, Connector, RunOptions, TransferOptions } from "../core/connector.ts";
import type { StringCommand } from "../core/command.ts";
import { setImmediate } from "node:timers";

const FRAME = /echo (__tsinfra_[0-9a-f]+):(\d+); echo/g;

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
    let stdout = "";
    let stderr = "";
    for (const match of command.raw().matchAll(FRAME)) {
      stdout += `${match[1]}:${match[2]}\n\n${match[1]}:end:0\n`;
      stderr += `${match[1]}:${match[2]}\n${match[1]}:end\n`;
    }
    return { exitCode: 0, stdout, stderr, timedOut: false };
  }

  async putFile(_content: Uint8Array, _dest: string, _options: TransferOptions): Promise<void> {
    await this.#wait();
  }

  async getFile(_src: string, _options: TransferOptions): Promise<Uint8Array> {
    await this.#wait();
    return new Uint8Array();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
