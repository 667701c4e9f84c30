/**
 * Where the `docker` (or `podman`) command runs for the container connectors: on the
 * controller for `@docker`/`@podman`, or on a remote machine over SSH for `@dockerssh`.
 * The container connector only ever speaks to one of these.
 *
 * @module
 */
import type { CommandOutput, Connector, OutputSink } from "../core/connector.ts";
import { quote, StringCommand } from "../core/command.ts";
import { CommandError } from "../core/errors.ts";
import { runProcess } from "./process.ts";

/** How one docker CLI call runs. */
export interface DockerCallOptions {
  /** The exact text for the call's standard input. @default {no input} */
  stdin?: string;
  /** Stops the call when aborted. */
  signal?: AbortSignal;
  /** Receives output while it arrives. */
  sink?: OutputSink;
}

/** The machine the docker CLI runs on. */
export interface DockerHost {
  /** How error messages name it: `""` locally, ` on HOST` over SSH. */
  readonly where: string;
  connect(): Promise<void>;
  /** Runs `argv` (a docker command line) there. */
  run(argv: readonly string[], options?: DockerCallOptions): Promise<CommandOutput>;
  /** Puts `content` in a temporary file there for `use(path)`, removed afterwards. */
  withUpload<T>(content: Uint8Array, use: (path: string) => Promise<T>): Promise<T>;
  /** Gives `fill(path)` a temporary path there to write, and returns what it wrote. */
  download(fill: (path: string) => Promise<void>): Promise<Uint8Array>;
  disconnect(): Promise<void>;
}

/** The docker CLI on the controller. */
export class LocalDockerHost implements DockerHost {
  readonly where = "";

  connect(): Promise<void> {
    return Promise.resolve();
  }

  async run(argv: readonly string[], options: DockerCallOptions = {}): Promise<CommandOutput> {
    const { stdoutBytes: _, ...output } = await runProcess([...argv], {
      stdin: options.stdin === undefined ? undefined : new TextEncoder().encode(options.stdin),
      signal: options.signal,
      sink: options.sink,
    });
    return output;
  }

  async withUpload<T>(content: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
    const path = await Deno.makeTempFile({ prefix: "tsinfra-upload-" });
    try {
      await Deno.writeFile(path, content);
      return await use(path);
    } finally {
      await Deno.remove(path).catch(() => {});
    }
  }

  async download(fill: (path: string) => Promise<void>): Promise<Uint8Array> {
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-download-" });
    try {
      const path = `${dir}/file`;
      await fill(path);
      return await Deno.readFile(path);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

/** The docker CLI on another machine, reached through a connector (SSH). */
export class RemoteDockerHost implements DockerHost {
  readonly where: string;

  constructor(private readonly remote: Connector, host: string) {
    this.where = ` on ${host}`;
  }

  async connect(): Promise<void> {
    await this.remote.connect();
  }

  async run(argv: readonly string[], options: DockerCallOptions = {}): Promise<CommandOutput> {
    // The docker CLI runs as the SSH user, without wrapping.
    return await this.remote.runShellCommand(new StringCommand(argv.map((a) => quote(a))), {
      stdin: options.stdin,
      signal: options.signal,
      sink: options.sink,
    });
  }

  async #remove(path: string): Promise<void> {
    await this.run(["rm", "-f", path]).catch(() => {});
  }

  async withUpload<T>(content: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
    const path = `/tmp/tsinfra-upload-${crypto.randomUUID()}`;
    try {
      await this.remote.writeFile(path, content);
      return await use(path);
    } finally {
      await this.#remove(path);
    }
  }

  async download(fill: (path: string) => Promise<void>): Promise<Uint8Array> {
    const path = `/tmp/tsinfra-download-${crypto.randomUUID()}`;
    try {
      await fill(path);
      return await this.remote.readFile(path);
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError(`Could not read ${path}${this.where}: ${error}`);
    } finally {
      await this.#remove(path);
    }
  }

  async disconnect(): Promise<void> {
    await this.remote.disconnect();
  }
}
