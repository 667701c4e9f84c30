/**
 * `@chroot/PATH`: commands run with `chroot PATH sh -c ...` (a debootstrap tree, say).
 * Staged uploads are written into the tree from outside; files are read from inside
 * (`chroot PATH cat`), so that a link in the tree cannot point outside it.
 *
 * @module
 */
import * as nodePath from "node:path";
import type { CommandOutput, Connector, RunOptions, WriteFileOptions } from "../core/connector.ts";
import type { StringCommand } from "../core/command.ts";
import { ConnectError } from "../core/errors.ts";
import { runProcess } from "./process.ts";

/** The chroot connector. */
export class ChrootConnector implements Connector {
  readonly #root: string;

  constructor(root: string) {
    this.#root = nodePath.resolve(root);
  }

  async connect(): Promise<void> {
    let ok = false;
    try {
      ok = (await Deno.stat(this.#root)).isDirectory;
    } catch {
      throw new ConnectError(`@chroot${this.#root}: no such folder`);
    }
    if (!ok) throw new ConnectError(`@chroot${this.#root}: not a folder`);
    try {
      await Deno.stat(nodePath.join(this.#root, "bin/sh"));
    } catch {
      throw new ConnectError(`@chroot${this.#root}: no /bin/sh inside; is it a root filesystem?`);
    }
    const probe = await runProcess(["chroot", this.#root, "true"]);
    if (probe.exitCode !== 0) {
      throw new ConnectError(
        `@chroot${this.#root}: chroot failed: ${probe.stderr.trim() || `exit ${probe.exitCode}`}`,
      );
    }
  }

  async runShellCommand(command: StringCommand, options: RunOptions): Promise<CommandOutput> {
    const stdin = options.stdin === undefined ? undefined : new TextEncoder().encode(options.stdin);
    const { stdoutBytes: _, ...output } = await runProcess(
      ["chroot", this.#root, "sh", "-c", command.raw()],
      { stdin, sink: options.sink, signal: options.signal },
    );
    return output;
  }

  #outside(inside: string): string {
    return nodePath.join(this.#root, inside);
  }

  /** Creates `path` inside the tree (a new file, written from outside). */
  async writeFile(
    path: string,
    content: Uint8Array,
    options: WriteFileOptions = {},
  ): Promise<void> {
    const mode = options.mode ?? 0o600;
    await Deno.writeFile(this.#outside(path), content, { createNew: true, mode });
    if (mode !== 0o600) await Deno.chmod(this.#outside(path), mode);
  }

  /** Reads `path` from inside the chroot. */
  async readFile(path: string): Promise<Uint8Array> {
    const output = await runProcess(["chroot", this.#root, "cat", "--", path]);
    if (output.exitCode !== 0) {
      throw new Error(output.stderr.trim() || `cat exited with ${output.exitCode}`);
    }
    return output.stdoutBytes;
  }

  async removeFile(path: string): Promise<void> {
    try {
      await Deno.remove(this.#outside(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
