/**
 * Where a template failed, and pyinfra's message for it, the same for Eta and Jinja2:
 * `Error in template: FILE (LLINE): REASON`, then the lines around that line.
 *
 * @module
 */

/** Where a template failed. */
export interface TemplateFailure {
  file: string;
  line?: number;
  reason: string;
  /** The failing template's text, for the lines around the error. */
  text: string;
  /** Those lines, when they are not the text split at line breaks (see `LocalFiles.readLines`). */
  lines?: readonly string[];
}

/**
 * The message of a template failure, in pyinfra's form.
 *
 * @example
 * ```ts
 * import { templateErrorMessage } from "./template_error.ts";
 * const text = templateErrorMessage({ file: "t.j2", line: 2, reason: "'x' is undefined", text: "a\n{{ x }}\nc" });
 * if (!text.startsWith("Error in template: t.j2 (L2): 'x' is undefined\n...\na\n{{ x }}\nc")) {
 *   throw new Error(text);
 * }
 * ```
 */
export function templateErrorMessage(failure: TemplateFailure): string {
  const where = failure.line ? `${failure.file} (L${failure.line})` : failure.file;
  let message = `Error in template: ${where}: ${failure.reason}`;
  if (failure.line) {
    const lines = (failure.lines ?? failure.text.split("\n")).map((l) => l.trim());
    const around = lines.slice(Math.max(failure.line - 2, 0), failure.line + 1);
    message += `\n...\n${around.join("\n")}\n...`;
  }
  return message;
}
