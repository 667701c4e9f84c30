/**
 * Runs a local program (sh, docker, chroot) with stdin, streamed output and an abort
 * signal that stops the program and every process it started: shared by the connectors
 * that shell out locally (core's `runCommand` aborts the signal for `_timeout`).
 *
 * Each program runs in its own session and process group (`detached`), so a stop
 * reaches its children through the group. Programs that leave the group (su starts its
 * command in a new session; sudo may use a pty) are found through `/proc` on Linux.
 * A stop sends SIGTERM first, which sudo and su pass on to the command they run as
 * another user (a signal we may not send ourselves), then SIGKILL.
 *
 * @module
 */
import type { CommandOutput, OutputSink } from "../core/connector.ts";

/** Milliseconds between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 1000;
/** Milliseconds to wait for output pipes after the SIGKILL before giving up on them. */
const PIPE_GRACE_MS = 200;

/** Options of {@linkcode runProcess}. */
export interface ProcessOptions {
  /** Bytes written to the program's standard input, then closed. @default {no input} */
  stdin?: Uint8Array;
  /** Receives stdout and stderr text as it arrives. */
  sink?: OutputSink;
  /** Extra environment variables for the program. */
  env?: Record<string, string>;
  /** Stops the program and its children when aborted (exit code -1). */
  signal?: AbortSignal;
}

/** What {@linkcode runProcess} returns: the command output and stdout's exact bytes. */
export interface ProcessOutput extends CommandOutput {
  /** Standard output as bytes (`stdout` is the same, decoded as UTF-8). */
  stdoutBytes: Uint8Array;
}

/** A program started by {@linkcode runProcess}, until its output has ended. */
interface Running {
  /** Settles when the program exited and its output ended. */
  finished: Promise<unknown>;
  /** Whether the program itself exited (its pid may then belong to another process). */
  exited: boolean;
  /** Stopped by {@linkcode stopRunningProcesses}: a failure, whatever status it exited with. */
  interrupted?: boolean;
}

/** The programs running now, by pid, for {@linkcode stopRunningProcesses}. */
const running = new Map<number, Running>();

/**
 * Runs `argv` in its own process group, feeding `stdin` while the output is read (so
 * a large input cannot dead-lock against a large output). Never throws because of the
 * program (only when it cannot be started): a stop (the signal) gives exit code -1.
 *
 * @example
 * ```ts
 * import { runProcess } from "./process.ts";
 * const out = await runProcess(["sh", "-c", "echo hi"]);
 * out.stdout; // "hi\n"
 * ```
 */
export async function runProcess(
  argv: string[],
  options: ProcessOptions = {},
): Promise<ProcessOutput> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: options.env,
    detached: true,
  }).spawn();
  if (options.stdin) feed(child.stdin, options.stdin);
  const stdout = collect(child.stdout, options.sink?.stdout);
  const stderr = collect(child.stderr, options.sink?.stderr);
  const finished = Promise.all([child.status, stdout.done, stderr.done]);
  const self: Running = { finished, exited: false };
  child.status.then(() => self.exited = true);
  running.set(child.pid, self);

  let stopped = false;
  const halted = Promise.withResolvers<void>();
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopProcessTree(child.pid, self).then(halted.resolve);
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop);
  try {
    // Output may still come from children after the program exited: wait for the end
    // of both pipes, which a stop also covers.
    await Promise.race([finished, halted.promise]);
    if (stopped) {
      await halted.promise;
      await Promise.race([finished, delay(PIPE_GRACE_MS)]);
      // A process we may not kill still holds a pipe: stop reading it.
      await Promise.all([stdout.cancel(), stderr.cancel()]);
    }
    const status = await child.status;
    const sinkError = stdout.sinkError() ?? stderr.sinkError();
    if (sinkError !== undefined) throw sinkError;
    const bytes = stdout.bytes();
    // Some programs exit 0 on SIGTERM (the docker client does): stopped is a failure.
    const interrupted = self.interrupted === true;
    return {
      exitCode: stopped || interrupted ? -1 : status.code,
      stdout: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes),
      stderr: new TextDecoder("utf-8", { ignoreBOM: true }).decode(stderr.bytes()) +
        (interrupted ? "\nStopped (interrupted)" : ""),
      stdoutBytes: bytes,
      timedOut: false,
    };
  } finally {
    options.signal?.removeEventListener("abort", stop);
    running.delete(child.pid);
  }
}

/**
 * Stops every program {@linkcode runProcess} is running (SIGTERM, then SIGKILL), for an
 * interrupted run: their process groups do not receive the terminal's Ctrl-C.
 *
 * @example
 * ```ts
 * import { stopRunningProcesses } from "./process.ts";
 * await stopRunningProcesses();
 * ```
 */
export async function stopRunningProcesses(): Promise<void> {
  await Promise.all([...running].map(([pid, program]) => {
    program.interrupted = true;
    return stopProcessTree(pid, program);
  }));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function feed(stream: WritableStream<Uint8Array>, data: Uint8Array): void {
  const writer = stream.getWriter();
  writer.write(data).then(() => writer.close()).catch(() => {
    // The program exited (or closed its input) before reading all of it.
  });
}

interface Collector {
  /** Settles at the end of the stream. */
  done: Promise<void>;
  bytes(): Uint8Array;
  cancel(): Promise<void>;
  /** The first error the sink threw: reading goes on, the run reports it at the end. */
  sinkError(): unknown;
}

function collect(stream: ReadableStream<Uint8Array>, onText?: (text: string) => void): Collector {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let failure: { error: unknown } | undefined;
  const tell = (text: string) => {
    if (!text || !onText || failure) return;
    try {
      onText(text);
    } catch (error) {
      failure = { error };
    }
  };
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        tell(decoder.decode(value, { stream: true }));
      }
    } catch {
      // The pipe broke: keep what was read.
    }
    tell(decoder.decode());
  })();
  return {
    done,
    bytes() {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
    cancel: () => reader.cancel().catch(() => {}),
    sinkError: () => failure?.error,
  };
}

/**
 * Stops a program, its process group and its descendants: SIGTERM, then SIGKILL once
 * it finished or after {@linkcode KILL_GRACE_MS}. Descendants are looked up only while
 * the program itself runs: after it exited its pid may be another process's.
 */
async function stopProcessTree(pid: number, program: Running): Promise<void> {
  const treeOf = () => program.exited ? new Map<number, string>() : descendants(pid);
  const tree = treeOf();
  signal(-pid, "SIGTERM");
  for (const [child] of tree) signal(child, "SIGTERM");
  await Promise.race([program.finished.catch(() => {}), delay(KILL_GRACE_MS)]);
  signal(-pid, "SIGKILL");
  for (const [child, start] of [...tree, ...treeOf()]) {
    // Only a process that is still the one we saw: its pid may have been reused.
    if (startTime(child) === start) signal(child, "SIGKILL");
  }
}

function signal(pid: number, name: Deno.Signal): void {
  try {
    Deno.kill(pid, name);
  } catch {
    // Gone already, or not ours to signal.
  }
}

/** The fields of `/proc/PID/stat` after the command name, or undefined. */
function statFields(pid: number): string[] | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** A process's start time (field 22 of `/proc/PID/stat`), to recognise it later. */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Every descendant of `pid` with its start time, read from `/proc` (empty elsewhere). */
function descendants(pid: number): Map<number, string> {
  const children = new Map<number, number[]>();
  const starts = new Map<number, string>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      const fields = statFields(Number(entry.name));
      if (!fields) continue;
      const parent = Number(fields[1]);
      children.set(parent, [...children.get(parent) ?? [], Number(entry.name)]);
      starts.set(Number(entry.name), fields[19]);
    }
  } catch {
    return new Map();
  }
  const found = new Map<number, string>();
  const queue = [...children.get(pid) ?? []];
  while (queue.length) {
    const next = queue.shift()!;
    if (found.has(next)) continue;
    found.set(next, starts.get(next)!);
    queue.push(...children.get(next) ?? []);
  }
  return found;
}
