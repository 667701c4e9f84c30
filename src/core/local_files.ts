/**
 * The controller's filesystem as operations see it: a small interface so that the
 * conformance fixtures can present pyinfra's fake local files, while real runs use disk.
 *
 * @module
 */
import * as nodePath from "node:path";

/** One folder visited by {@linkcode LocalFiles.walk}. */
export interface WalkEntry {
  dir: string;
  dirs: string[];
  files: string[];
}

/** Read access to the controller's files, relative paths resolved against `cwd`. */
export interface LocalFiles {
  /** The folder relative paths are resolved against. */
  readonly cwd: string;
  /** An absolute, normalised path. */
  resolve(path: string): string;
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  exists(path: string): boolean;
  readBytes(path: string): Uint8Array;
  readText(path: string): string;
  /**
   * The lines an error message quotes from a text file (a template's). Without it, the
   * text is split at line breaks; pyinfra's test harness gives its own, which its cases
   * quote (scripts/fixtures/fake_files.ts).
   */
  readLines?(path: string): string[];
  /** Permission bits as pyinfra writes them: octal digits read as decimal (0o644 -> 644). */
  mode(path: string): number;
  /** Folders under `dir`, top-down, like Python's `os.walk`. */
  walk(dir: string): Iterable<WalkEntry>;
  /** Creates a folder and its parents. */
  makeDirs(path: string): void;
}

/** {@linkcode LocalFiles} backed by the real filesystem. */
export class DiskFiles implements LocalFiles {
  constructor(readonly cwd: string = Deno.cwd()) {}

  resolve(path: string): string {
    return nodePath.resolve(this.cwd, path);
  }

  #stat(path: string): Deno.FileInfo | null {
    try {
      return Deno.statSync(this.resolve(path));
    } catch {
      return null;
    }
  }

  isFile(path: string): boolean {
    return this.#stat(path)?.isFile ?? false;
  }

  isDir(path: string): boolean {
    return this.#stat(path)?.isDirectory ?? false;
  }

  exists(path: string): boolean {
    return this.#stat(path) !== null;
  }

  readBytes(path: string): Uint8Array {
    return Deno.readFileSync(this.resolve(path));
  }

  readText(path: string): string {
    return Deno.readTextFileSync(this.resolve(path));
  }

  mode(path: string): number {
    const mode = this.#stat(path)?.mode ?? 0o644;
    return Number((mode & 0o7777).toString(8));
  }

  *walk(dir: string): Iterable<WalkEntry> {
    const root = this.resolve(dir);
    const dirs: string[] = [];
    const files: string[] = [];
    for (const entry of [...Deno.readDirSync(root)].sort((a, b) => a.name < b.name ? -1 : 1)) {
      if (entry.isDirectory) dirs.push(entry.name);
      else files.push(entry.name);
    }
    yield { dir: dir, dirs, files };
    for (const child of dirs) yield* this.walk(nodePath.join(dir, child));
  }

  makeDirs(path: string): void {
    Deno.mkdirSync(this.resolve(path), { recursive: true });
  }
}
