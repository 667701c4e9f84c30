/**
 * Runs a local program (docker, chroot, sh) with stdin, a timeout that kills its whole
 * process group, and streamed output: shared by the connectors that shell out locally.
 *
 * @module
 */
import type { CommandOutput, OutputSink } from "../core/connector.ts";

let haveSetsid: boolean | undefined;

function setsidAvailable(): boolean {
  if (haveSetsid === undefined) {
    haveSetsid = (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
      try {
        return Deno.statSync(`${dir}/setsid`).isFile;
      } catch {
        return false;
      }
    });
  }
  return haveSetsid;
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  onChunk?: (text: string) => void,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    const part = decoder.decode(chunk, { stream: true });
    text += part;
    if (part) onChunk?.(part);
  }
  return text + decoder.decode();
}

/** Options of {@linkcode runProcess}. */
export interface ProcessOptions {
  stdin?: Uint8Array;
  /** Seconds; the process group is killed and `timedOut` set. */
  timeout?: number;
  sink?: OutputSink;
}

/**
 * Runs `argv` in its own process group.
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
): Promise<CommandOutput> {
  const group = setsidAvailable();
  const full = group ? ["setsid", ...argv] : argv;
  const child = new Deno.Command(full[0], {
    args: full.slice(1),
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin).catch(() => {});
    await writer.close().catch(() => {});
  }
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeout !== undefined && options.timeout > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      try {
        // Negative PID: the whole process group setsid created.
        Deno.kill(group ? -child.pid : child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, options.timeout * 1000);
  }
  const [stdout, stderr, status] = await Promise.all([
    pump(child.stdout, options.sink?.stdout),
    pump(child.stderr, options.sink?.stderr),
    child.status,
  ]);
  if (timer !== undefined) clearTimeout(timer);
  return { exitCode: timedOut ? -1 : status.code, stdout, stderr, timedOut };
}
