/**
 * Fact batching: the commands of several facts sent to a host as one shell script whose
 * output comes back split by delimiters, with each fact's own exit status, so one round
 * trip reads many facts and a failing fact command is still told apart.
 *
 * @module
 */
import { StringCommand } from "./command.ts";
import type { CommandOutput } from "./connector.ts";

/** A fresh delimiter that no fact output will contain by chance. */
export function newMarker(): string {
  return `__tsinfra_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * One script running every command in its own subshell, each framed by delimiter
 * lines on stdout and stderr; the end line on stdout carries the exit status.
 *
 * @example
 * ```ts
 * import { StringCommand } from "./command.ts";
 * import { batchCommand } from "./fact_batch.ts";
 * batchCommand([new StringCommand(["uname -s"])], "M").raw();
 * // "echo M:0; echo M:0 >&2; ( uname -s ); printf '\nM:end:%s\n' $?; echo M:end >&2"
 * ```
 */
export function batchCommand(commands: readonly StringCommand[], marker: string): StringCommand {
  const parts = commands.map((command, i) =>
    new StringCommand([
      `echo ${marker}:${i}; echo ${marker}:${i} >&2; (`,
      command,
      `); printf '\\n${marker}:end:%s\\n' $?; echo ${marker}:end >&2`,
    ])
  );
  return new StringCommand(parts, { separator: "; " });
}

/**
 * Splits the output of {@linkcode batchCommand} back into one output per command.
 * A command whose frame is missing (the script was cut short) gets exit status -1.
 */
export function splitBatchOutput(
  output: CommandOutput,
  marker: string,
  count: number,
): CommandOutput[] {
  const results: CommandOutput[] = [];
  for (let i = 0; i < count; i++) {
    const start = `${marker}:${i}\n`;
    const out = output.stdout;
    const from = out.indexOf(start);
    const endAt = from < 0 ? -1 : out.indexOf(`\n${marker}:end:`, from + start.length - 1);
    let exitCode = -1;
    let stdout = "";
    if (from >= 0 && endAt >= 0) {
      stdout = out.slice(from + start.length, endAt);
      const status = /^:end:(\d+)/.exec(out.slice(endAt + 1 + marker.length));
      exitCode = status ? Number(status[1]) : -1;
    }
    const err = output.stderr;
    const errFrom = err.indexOf(start);
    const errEnd = errFrom < 0 ? -1 : err.indexOf(`${marker}:end\n`, errFrom + start.length);
    const stderr = errFrom >= 0 && errEnd >= 0 ? err.slice(errFrom + start.length, errEnd) : "";
    results.push({ exitCode, stdout, stderr, timedOut: exitCode === -1 && output.timedOut });
  }
  return results;
}

/**
 * A command followed by fact reads in the same round trip: the facts run after it, in a
 * batch of their own, only when it succeeded, and the script exits with its status.
 */
export function withTrailingFacts(
  command: StringCommand,
  facts: readonly StringCommand[],
  marker: string,
): StringCommand {
  return new StringCommand([
    "{ ",
    command,
    // The newline keeps a trailing here-document or comment of the command intact.
    `\n}; __tsinfra_s=$?; if [ $__tsinfra_s -eq 0 ]; then printf '\\n%s\\n' ${marker}:facts;` +
    ` printf '\\n%s\\n' ${marker}:facts >&2;`,
    " ",
    batchCommand(facts, marker),
    "; fi; exit $__tsinfra_s",
    // No separator: a space after the command would break a here-document's last line.
  ], { separator: "" });
}

/**
 * Splits the output of {@linkcode withTrailingFacts}: the command's own output, exactly
 * as it printed it, and one output per fact (none when the facts did not run).
 */
export function splitTrailingFacts(
  output: CommandOutput,
  marker: string,
  count: number,
): { main: CommandOutput; facts: CommandOutput[] } {
  const separator = `\n${marker}:facts\n`;
  const at = output.stdout.indexOf(separator);
  const errAt = output.stderr.indexOf(separator);
  if (at < 0 || errAt < 0) return { main: output, facts: [] };
  const rest: CommandOutput = {
    exitCode: output.exitCode,
    stdout: output.stdout.slice(at + separator.length),
    stderr: output.stderr.slice(errAt + separator.length),
    timedOut: false,
  };
  return {
    main: { ...output, stdout: output.stdout.slice(0, at), stderr: output.stderr.slice(0, errAt) },
    facts: splitBatchOutput(rest, marker, count),
  };
}
