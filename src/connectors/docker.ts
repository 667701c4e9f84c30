/**
 * `@docker/IMAGE_OR_CONTAINER`, `@podman/...` and `@dockerssh/HOST:IMAGE`: commands
 * through `docker exec`. An image gets a fresh container that is committed to a new
 * image at the end (its id is reported) and removed, as pyinfra does; an existing
 * container is used as it is and left running. The docker CLI runs on the controller,
 * or over SSH on another machine for `@dockerssh` (see `docker_host.ts`).
 *
 * @module
 */
import type {
  CommandOutput,
  Connector,
  DisconnectOptions,
  RunOptions,
  WriteFileOptions,
} from "../core/connector.ts";
import type { StringCommand } from "../core/command.ts";
import { CommandError, ConnectError } from "../core/errors.ts";
import { RUN_VARIABLE, runToken, stopByTokenCommand } from "./cancel.ts";
import { type DockerCallOptions, type DockerHost, LocalDockerHost } from "./docker_host.ts";

/** What `disconnect` did with a container started from an image. */
export interface DockerCommitResult {
  image: string;
  container: string;
  committedImage: string;
}

/** How a container connector is set up. */
export interface DockerConnectorOptions {
  /** Where the docker CLI runs. @default {new LocalDockerHost()} */
  host?: DockerHost;
  /** How messages name the target. @default {`@${tool}/${target}`} */
  label?: string;
  /** Only images are accepted (`@dockerssh`), never an existing container. */
  imageOnly?: boolean;
  /** Told when the container was committed. */
  onCommit?: (result: DockerCommitResult) => void;
}

/** The docker (or podman) connector. */
export class DockerConnector implements Connector {
  readonly #tool: string;
  readonly #target: string;
  readonly #host: DockerHost;
  readonly #label: string;
  readonly #imageOnly: boolean;
  /** Tokens of the commands running now, for {@linkcode cancel}. */
  readonly #running = new Set<string>();
  #container: string | undefined;
  #startedFromImage = false;
  /** `--change` arguments that give the committed image the original's ENTRYPOINT and CMD. */
  #restoreOnCommit: string[] = [];
  /** Set after disconnect when an image was run and committed. */
  committed: DockerCommitResult | undefined;
  readonly #onCommit: ((result: DockerCommitResult) => void) | undefined;

  constructor(tool: "docker" | "podman", target: string, options: DockerConnectorOptions = {}) {
    this.#tool = tool;
    this.#target = target;
    this.#host = options.host ?? new LocalDockerHost();
    this.#label = options.label ?? `@${tool}/${target}`;
    this.#imageOnly = options.imageOnly ?? false;
    this.#onCommit = options.onCommit;
  }

  async #cli(args: string[], options?: DockerCallOptions): Promise<CommandOutput> {
    try {
      return await this.#host.run([this.#tool, ...args], options);
    } catch (error) {
      if (error instanceof ConnectError) throw error;
      throw new ConnectError(
        `${this.#label}: ${this.#tool} is not available${this.#host.where}: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
  }

  async connect(): Promise<void> {
    await this.#host.connect();
    if (!this.#imageOnly) {
      const inspect = await this.#cli([
        "container",
        "inspect",
        "--format",
        "{{.Id}} {{.State.Running}}",
        this.#target,
      ]);
      if (inspect.exitCode === 0) {
        const [id, running] = inspect.stdout.trim().split(" ");
        if (running !== "true") throw new ConnectError(`${this.#label}: container is not running`);
        this.#container = id;
        return;
      }
    }
    const image = await this.#cli([
      "image",
      "inspect",
      "--format",
      "{{json .Config.Entrypoint}}\t{{json .Config.Cmd}}",
      this.#target,
    ]);
    if (image.exitCode !== 0) {
      if (/command not found|not found/.test(image.stderr) && image.exitCode === 127) {
        throw new ConnectError(`${this.#label}: ${this.#tool} is not installed${this.#host.where}`);
      }
      const what = this.#imageOnly ? "no such image" : "no such container or image";
      throw new ConnectError(
        `${this.#label}: ${what}${this.#host.where} (tsinfra does not pull images; ${this.#tool} pull it first)`,
      );
    }
    // The container idles in `sleep infinity`. Only an image with an ENTRYPOINT needs it
    // overridden: docker cannot reset an overridden one to "none" when committing.
    const [entrypoint = "null", cmd = "null"] = image.stdout.trim().split("\t");
    const hasEntrypoint = entrypoint !== "null" && entrypoint !== "[]";
    const started = await this.#cli([
      "run",
      "-d",
      ...(hasEntrypoint ? ["--entrypoint", "sleep", this.#target, "infinity"] : [
        this.#target,
        "sleep",
        "infinity",
      ]),
    ]);
    if (started.exitCode !== 0) {
      throw new ConnectError(
        `${this.#label}: could not start a container${this.#host.where}: ${started.stderr.trim()}`,
      );
    }
    this.#container = started.stdout.trim();
    this.#startedFromImage = true;
    this.#restoreOnCommit = [
      ...(hasEntrypoint ? ["--change", `ENTRYPOINT ${entrypoint}`] : []),
      "--change",
      `CMD ${cmd === "null" ? "[]" : cmd}`,
    ];
  }

  get #id(): string {
    if (!this.#container) throw new ConnectError(`${this.#label}: not connected`);
    return this.#container;
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    // A sudo password goes in on stdin (never in docker's argv, which `ps` shows).
    const { stdin, signal, sink } = options;
    // The token lets cancel() and an abort find the command's processes in the container.
    const token = runToken();
    const flags = [
      "exec",
      "-e",
      `${RUN_VARIABLE}=${token}`,
      ...(stdin !== undefined ? ["-i"] : []),
      ...(options.pty ? ["-t"] : []),
    ];
    // Stopping the `docker exec` client leaves the command running in the container.
    let stopping: Promise<void> | undefined;
    const stop = () => stopping ??= this.#stopByToken([token]);
    this.#running.add(token);
    signal?.addEventListener("abort", stop);
    try {
      const output = await this.#cli([...flags, this.#id, "sh", "-c", command.raw()], {
        stdin,
        signal,
        sink,
      });
      if (signal?.aborted) {
        await stop();
        return { ...output, exitCode: -1 };
      }
      return output;
    } finally {
      signal?.removeEventListener("abort", stop);
      this.#running.delete(token);
    }
  }

  /**
   * Stops the commands running in the container (Ctrl-C): stopping the `docker exec`
   * client on the controller leaves them running, so they are found by their token.
   */
  async cancel(): Promise<void> {
    await this.#stopByToken([...this.#running]);
  }

  async #stopByToken(tokens: string[]): Promise<void> {
    if (!tokens.length || !this.#container) return;
    await this.#cli(["exec", this.#container, "sh", "-c", stopByTokenCommand(tokens).raw()])
      .catch(() => {});
  }

  /** Copies `content` into the container at `path` (`docker cp`), with `options.mode`. */
  async writeFile(
    path: string,
    content: Uint8Array,
    options: WriteFileOptions = {},
  ): Promise<void> {
    const mode = options.mode ?? 0o600;
    await this.#host.withUpload(content, async (local) => {
      const copy = await this.#cli(["cp", local, `${this.#id}:${path}`]);
      if (copy.exitCode !== 0) throw new Error(copy.stderr.trim() || `${this.#tool} cp failed`);
    });
    // docker cp keeps the local file's mode (0600) and gives the file to the container's root.
    if (mode === 0o600) return;
    const chmod = await this.#cli(["exec", this.#id, "chmod", mode.toString(8), "--", path]);
    if (chmod.exitCode !== 0) throw new Error(chmod.stderr.trim() || "chmod failed");
  }

  /** Copies `path` out of the container (`docker cp`, following a link in the container). */
  async readFile(path: string): Promise<Uint8Array> {
    return await this.#host.download(async (local) => {
      // podman cp follows links by itself and has no -L.
      const follow = this.#tool === "docker" ? ["-L"] : [];
      const out = await this.#cli(["cp", ...follow, `${this.#id}:${path}`, local]);
      if (out.exitCode !== 0) throw new Error(out.stderr.trim() || `${this.#tool} cp failed`);
    });
  }

  async removeFile(path: string): Promise<void> {
    const out = await this.#cli(["exec", this.#id, "rm", "-f", "--", path]);
    if (out.exitCode !== 0) throw new Error(out.stderr.trim() || "rm failed");
  }

  async disconnect(options: DisconnectOptions = {}): Promise<string | void> {
    const container = this.#container;
    this.#container = undefined;
    try {
      if (!container || !this.#startedFromImage) return;
      if (options.discard) {
        await this.#cli(["rm", "-f", container]);
        return `removed the container ${
          container.slice(0, 12)
        } of ${this.#label} without committing it${this.#host.where}`;
      }
      // The container ran `sleep infinity`; the new image keeps the original's commands.
      const commit = await this.#cli(["commit", ...this.#restoreOnCommit, container]);
      await this.#cli(["rm", "-f", container]);
      if (commit.exitCode !== 0) {
        throw new CommandError(`Could not commit ${container}: ${commit.stderr.trim()}`);
      }
      this.committed = { image: this.#target, container, committedImage: commit.stdout.trim() };
      this.#onCommit?.(this.committed);
      return `committed the container of ${this.#label} to image ${this.committed.committedImage}${this.#host.where}`;
    } finally {
      await this.#host.disconnect();
    }
  }
}
