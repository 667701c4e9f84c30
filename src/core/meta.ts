/**
 * `OperationMeta`: what deploy code gets back from calling an operation, and how later
 * operations depend on earlier ones (`_if: meta.didChange`).
 *
 * @module
 */
import { NotExecutedError } from "./errors.ts";

/** The outcome of one operation on one host, filled in by the engine. */
export interface OperationResult {
  changed: boolean;
  success: boolean;
  stdout: string;
  stderr: string;
  error: string | null;
}

/**
 * The handle returned by every operation call. Its methods are bound, so they can be
 * passed as conditions directly: `_if: meta.didChange`.
 *
 * @example
 * ```ts ignore
 * const config = files.template({ src: "./nginx.conf.eta", dest: "/etc/nginx/nginx.conf" });
 * server.service({ service: "nginx", restarted: true, _if: config.didChange });
 * ```
 */
export class OperationMeta {
  readonly name: string;
  readonly hostName: string;
  #willChange: boolean | undefined;
  #result: OperationResult | undefined;

  constructor(name: string, hostName: string) {
    this.name = name;
    this.hostName = hostName;
    this.didChange = this.didChange.bind(this);
    this.didNotChange = this.didNotChange.bind(this);
    this.didSucceed = this.didSucceed.bind(this);
    this.didError = this.didError.bind(this);
  }

  /** Set by the engine after prepare. */
  setWillChange(value: boolean): void {
    this.#willChange = value;
  }

  /** Set by the engine after execution. */
  setResult(result: OperationResult): void {
    this.#result = result;
  }

  /** Whether the operation is expected to change the host; known after prepare. */
  get willChange(): boolean {
    if (this.#willChange === undefined) {
      throw new NotExecutedError(
        `${this.name}: willChange is only known after prepare; ` +
          "use _if: meta.didChange to act on the result",
      );
    }
    return this.#willChange;
  }

  /** Whether the operation has run on this host. */
  get executed(): boolean {
    return this.#result !== undefined;
  }

  #executed(what: string): OperationResult {
    if (!this.#result) {
      throw new NotExecutedError(
        `${this.name}: ${what} is only known after execution; ` +
          `pass it as a condition instead (_if: meta.${what})`,
      );
    }
    return this.#result;
  }

  /** True once the operation ran and changed something. */
  didChange(): boolean {
    return this.#executed("didChange").changed;
  }

  /** True once the operation ran and changed nothing. */
  didNotChange(): boolean {
    return !this.#executed("didNotChange").changed;
  }

  /** True once the operation ran without error. */
  didSucceed(): boolean {
    return this.#executed("didSucceed").success;
  }

  /** True once the operation ran and failed. */
  didError(): boolean {
    return !this.#executed("didError").success;
  }

  /** Whether the operation changed something (after execution). */
  get changed(): boolean {
    return this.#executed("changed").changed;
  }

  /** Standard output of the operation's commands (after execution). */
  get stdout(): string {
    return this.#executed("stdout").stdout;
  }

  /** Standard error of the operation's commands (after execution). */
  get stderr(): string {
    return this.#executed("stderr").stderr;
  }

  /** Standard output split in lines (after execution). */
  get stdoutLines(): string[] {
    const out = this.stdout;
    return out === "" ? [] : out.replace(/\n$/, "").split("\n");
  }
}

/**
 * A condition true when any of the operations changed something.
 *
 * @example
 * ```ts ignore
 * server.service({ service: "nginx", restarted: true, _if: anyChanged(site, config) });
 * ```
 */
export function anyChanged(...metas: OperationMeta[]): () => boolean {
  return () => metas.some((meta) => meta.didChange());
}

/**
 * A condition true when every one of the operations changed something.
 *
 * @example
 * ```ts ignore
 * server.shell({ commands: ["reload"], _if: allChanged(a, b) });
 * ```
 */
export function allChanged(...metas: OperationMeta[]): () => boolean {
  return () => metas.every((meta) => meta.didChange());
}
