/**
 * `@docker/IMAGE_OR_CONTAINER` and `@podman/...`: commands through `docker exec`. An
 * image gets a fresh container that is committed to a new image at the end (its id is
 * reported) and removed, as pyinfra does; an existing container is used as it is and
 * left running.
 *
 * @module
 */
import * as nodePath from "node:path";
import type { CommandOutput, Connector, RunOptions, TransferOptions } from "../core/connector.ts";
import { quote, StringCommand } from "../core/command.ts";
import { CommandError, ConnectError } from "../core/errors.ts";
import { runProcess } from "./process.ts";
import { moveIntoPlace } from "./move.ts";

/** What `disconnect` did with a container started from an image. */
export interface DockerCommitResult {
  image: string;
  container: string;
  committedImage: string;
}

/** The docker (or podman) connector. */
export class DockerConnector implements Connector {
  readonly #tool: string;
  readonly #target: string;
  #container: string | undefined;
  #startedFromImage = false;
  /** Set after disconnect when an image was run and committed. */
  committed: DockerCommitResult | undefined;
  readonly #onCommit: ((result: DockerCommitResult) => void) | undefined;

  constructor(
    tool: "docker" | "podman",
    target: string,
    onCommit?: (result: DockerCommitResult) => void,
  ) {
    this.#tool = tool;
    this.#target = target;
    this.#onCommit = onCommit;
  }

  async #cli(args: string[], stdin?: Uint8Array): Promise<CommandOutput> {
    try {
      return await runProcess([this.#tool, ...args], { stdin });
    } catch (error) {
      throw new ConnectError(
        `${this.#tool} is not available: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  async connect(): Promise<void> {
    const inspect = await this.#cli([
      "container",
      "inspect",
      "--format",
      "{{.Id}} {{.State.Running}}",
      this.#target,
    ]);
    if (inspect.exitCode === 0) {
      const [id, running] = inspect.stdout.trim().split(" ");
      if (running !== "true") {
        throw new ConnectError(`@${this.#tool}/${this.#target}: container is not running`);
      }
      this.#container = id;
      return;
    }
    const image = await this.#cli(["image", "inspect", "--format", "{{.Id}}", this.#target]);
    if (image.exitCode !== 0) {
      throw new ConnectError(
        `@${this.#tool}/${this.#target}: no such container or image (tsinfra does not pull images; ${this.#tool} pull it first)`,
      );
    }
    const started = await this.#cli([
      "run",
      "-d",
      "--entrypoint",
      "sleep",
      this.#target,
      "infinity",
    ]);
    if (started.exitCode !== 0) {
      throw new ConnectError(
        `@${this.#tool}/${this.#target}: could not start a container: ${started.stderr.trim()}`,
      );
    }
    this.#container = started.stdout.trim();
    this.#startedFromImage = true;
  }

  get #id(): string {
    if (!this.#container) throw new ConnectError(`@${this.#tool}/${this.#target}: not connected`);
    return this.#container;
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const { args, sink } = options;
    const stdin = args._stdin === undefined ? undefined : new TextEncoder().encode(
      Array.isArray(args._stdin) ? args._stdin.map((l) => l + "\n").join("") : args._stdin,
    );
    const flags = ["exec", ...(stdin ? ["-i"] : []), ...(args._getPty ? ["-t"] : [])];
    return await runProcess([this.#tool, ...flags, this.#id, "sh", "-c", command.raw()], {
      stdin,
      timeout: args._timeout,
      sink,
    });
  }

  async putFile(content: Uint8Array, dest: string, options: TransferOptions): Promise<void> {
    // Copy into the container's temp folder, then move into place with the same sudo/su.
    const local = await Deno.makeTempFile({ prefix: "tsinfra-upload-" });
    const temp = `${options.tempDir ?? "/tmp"}/tsinfra-upload-${crypto.randomUUID()}`;
    try {
      await Deno.writeFile(local, content);
      const copy = await this.#cli(["cp", local, `${this.#id}:${temp}`]);
      if (copy.exitCode !== 0) {
        throw new CommandError(`Could not copy into ${dest}: ${copy.stderr.trim()}`);
      }
      await moveIntoPlace(this, temp, dest, options);
    } finally {
      await Deno.remove(local).catch(() => {});
    }
  }

  async getFile(src: string, options: TransferOptions): Promise<Uint8Array> {
    const temp = `${options.tempDir ?? "/tmp"}/tsinfra-download-${crypto.randomUUID()}`;
    const copy = options.wrap(
      new StringCommand(["cp", quote(src), quote(temp), "&&", "chmod", "644", quote(temp)]),
    );
    const copied = await this.runShellCommand(copy, {
      args: { ...options.args, _stdin: undefined },
    });
    if (copied.exitCode !== 0) {
      throw new CommandError(`Could not read ${src}: ${copied.stderr.trim()}`);
    }
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-download-" });
    try {
      const out = await this.#cli(["cp", `${this.#id}:${temp}`, nodePath.join(dir, "file")]);
      if (out.exitCode !== 0) throw new CommandError(`Could not read ${src}: ${out.stderr.trim()}`);
      return await Deno.readFile(nodePath.join(dir, "file"));
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await this.runShellCommand(new StringCommand(["rm", "-f", quote(temp)]), {
        args: options.args,
      }).catch(() => {});
    }
  }

  async disconnect(): Promise<string | void> {
    const container = this.#container;
    this.#container = undefined;
    if (!container || !this.#startedFromImage) return;
    const commit = await this.#cli(["commit", container]);
    await this.#cli(["rm", "-f", container]);
    if (commit.exitCode !== 0) {
      throw new CommandError(`Could not commit ${container}: ${commit.stderr.trim()}`);
    }
    this.committed = { image: this.#target, container, committedImage: commit.stdout.trim() };
    this.#onCommit?.(this.committed);
    return `committed the container of ${this.#target} to image ${this.committed.committedImage}`;
  }
}
