/**
 * What the sed and awk commands of `files.line`, `files.replace` and `files.block` will
 * make of a file, computed in TypeScript for `--diff`. Each function returns the new
 * content, or `null` when it cannot be sure to match the command byte for byte (a
 * construct it does not emulate, or text whose matching depends on the host's locale):
 * then no diff is shown rather than a wrong one.
 *
 * Regular expressions follow GNU sed (basic syntax, with its `\+`, `\?`, `\|`, `\t`,
 * `\w`, `\<`, ... extensions) and POSIX awk (extended syntax without intervals). POSIX
 * picks the leftmost-longest match, JavaScript the leftmost-first: where the two can
 * differ (alternation, a repeated group, a back-reference) the longest match is searched
 * for, and a replacement that uses groups is not emulated.
 *
 * @module
 */
import { translateBasic, type Translated, translateExtended } from "./_posix_regex.ts";

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** A file's lines as sed and awk read them, and whether the last one ends with `\n`. */
function splitFile(content: string): { lines: string[]; finalNewline: boolean } {
  if (content === "") return { lines: [], finalNewline: true };
  const lines = content.split("\n");
  const finalNewline = lines[lines.length - 1] === "";
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

/** sed's output: each line as read, the last without `\n` when the file had none. */
function joinSed(lines: { text: string; newline: boolean }[]): string {
  return lines.map((l) => l.text + (l.newline ? "\n" : "")).join("");
}

/** awk's output: every record printed with `\n`. */
function joinAwk(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * The match of a translated expression at or after `from`: POSIX's leftmost-longest,
 * or null when none; `undefined` when the longest match is too costly to search for.
 */
function posixMatch(
  t: Translated,
  text: string,
  from: number,
): RegExpExecArray | null | undefined {
  t.regex.lastIndex = from;
  const first = t.regex.exec(text);
  if (!first || !t.ambiguous) return first;
  const start = first.index;
  const firstEnd = start + first[0].length;
  if (text.length - firstEnd > 2000) return undefined;
  // A longer match from the same start: the longest end first.
  for (let end = text.length; end > firstEnd; end--) {
    const forced = new RegExp(
      `(?:${t.regex.source})(?=[\\s\\S]{${text.length - end}}$)`,
      t.regex.flags.replace("g", "") + "y",
    );
    forced.lastIndex = start;
    const found = forced.exec(text);
    if (found) return found;
  }
  return first;
}

/** A sed `s` replacement as sed reads it: literal text, `&` and `\1`..`\9`. */
type Replacement = (string | number)[];

function parseReplacement(text: string, groups: number): Replacement | null {
  const parts: Replacement = [];
  let literalText = "";
  const flush = () => {
    if (literalText) parts.push(literalText);
    literalText = "";
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "&") {
      flush();
      parts.push(0);
    } else if (char === "\\") {
      const next = text[++i];
      if (next === undefined) return null;
      if (next >= "1" && next <= "9") {
        if (Number(next) > groups) return null; // sed: invalid reference
        flush();
        parts.push(Number(next));
      } else if ("&\\/\n".includes(next)) literalText += next;
      else if (next === "n") literalText += "\n";
      else if (next === "t") literalText += "\t";
      else return null;
    } else literalText += char;
  }
  flush();
  return parts;
}

/** Flags of sed's `s` command: `g`, `i`/`I` and an occurrence number; null for others. */
function parseFlags(flags: string): { global: boolean; ignoreCase: boolean; nth: number } | null {
  let global = false;
  let ignoreCase = false;
  let number = "";
  for (const [i, char] of [...flags].entries()) {
    if (char === "g" && !global) global = true;
    else if ((char === "i" || char === "I") && !ignoreCase) ignoreCase = true;
    else if (char >= "0" && char <= "9" && (number === "" || /\d/.test(flags[i - 1]))) {
      number += char;
    } else return null;
  }
  const nth = number ? Number(number) : 1;
  if (nth === 0 || nth > 512) return null;
  return { global, ignoreCase, nth };
}

/** Undoes the shell's double quotes of `interpolatedArgument`: null when `$` expands. */
export function afterDoubleQuotes(text: string): string | null {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "\\" && text[i + 1] === "$") {
      out += "$";
      i++;
    } else if (char === "$" && /[A-Za-z0-9_{(@*#?$!-]/.test(text[i + 1] ?? "")) return null;
    else out += char;
  }
  return out;
}

/** Options of the sed emulations. */
export interface SedOptions {
  /** The flags of the command (`g`, `i`, a number). @default {""} */
  flags?: string;
  /** The script was double-quoted for the shell (`interpolateVariables`). @default {false} */
  interpolated?: boolean;
}

/** The pattern as sed sees it between delimiters; null when the shell would expand it. */
function seen(text: string, interpolated: boolean): string | null {
  return interpolated ? afterDoubleQuotes(text) : text;
}

/**
 * The file after `sed -i 's/PATTERN/REPLACEMENT/FLAGS'`, where `pattern` and
 * `replacement` are as they go between the delimiters (after `sedPattern` and
 * `sedReplacement`); null when not emulated.
 */
export function sedSubstitute(
  content: string,
  pattern: string,
  replacement: string,
  options: SedOptions = {},
): string | null {
  const flags = parseFlags(options.flags ?? "");
  const regexText = seen(pattern, options.interpolated ?? false);
  const replacementText = seen(replacement, options.interpolated ?? false);
  if (!flags || regexText === null || replacementText === null) return null;
  const t = translateBasic(regexText, flags.ignoreCase);
  if (!t) return null;
  const parts = parseReplacement(replacementText, t.groups);
  if (!parts) return null;
  if (t.capturesDiffer && parts.some((p) => p !== 0 && typeof p === "number")) return null;
  if (t.localeSensitive && NON_ASCII.test(content)) return null;
  const { lines, finalNewline } = splitFile(content);
  const out: { text: string; newline: boolean }[] = [];
  for (const [index, line] of lines.entries()) {
    const text = substituteLine(line, t, parts, flags.global, flags.nth);
    if (text === undefined) return null;
    out.push({ text, newline: index < lines.length - 1 || finalNewline });
  }
  return joinSed(out);
}

/** One line through `s///`, GNU sed's way: an empty match right after a match is skipped. */
function substituteLine(
  line: string,
  t: Translated,
  parts: Replacement,
  global: boolean,
  nth: number,
): string | undefined {
  let out = "";
  let pos = 0; // copied up to here
  let from = 0;
  let previousEnd = -1;
  let count = 0;
  while (from <= line.length) {
    const match = posixMatch(t, line, from);
    if (match === undefined) return undefined;
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    // After an empty match sed steps one byte (even in a UTF-8 locale).
    if (start === end && line.charCodeAt(start) > 0x7f) return undefined;
    if (start === end && start === previousEnd) {
      from = start + 1;
      continue;
    }
    count++;
    if (count >= nth) {
      out += line.slice(pos, start);
      for (const part of parts) out += typeof part === "string" ? part : (match[part] ?? "");
      pos = end;
      if (!global) break;
    }
    previousEnd = end;
    from = start === end ? end + 1 : end;
  }
  return out + line.slice(pos);
}

/**
 * The file after `sed -i '/PATTERN/d'` (`/PATTERN/Id` with `ignoreCase`); null when not
 * emulated.
 */
export function sedDeleteLines(
  content: string,
  pattern: string,
  options: { ignoreCase?: boolean; interpolated?: boolean } = {},
): string | null {
  const regexText = seen(pattern, options.interpolated ?? false);
  if (regexText === null) return null;
  const t = translateBasic(regexText, options.ignoreCase ?? false);
  if (!t || (t.localeSensitive && NON_ASCII.test(content))) return null;
  const { lines, finalNewline } = splitFile(content);
  const out: { text: string; newline: boolean }[] = [];
  for (const [index, line] of lines.entries()) {
    t.regex.lastIndex = 0;
    if (t.regex.test(line)) continue;
    out.push({ text: line, newline: index < lines.length - 1 || finalNewline });
  }
  return joinSed(out);
}

/** How `files.block` finds the line to put a new block next to. */
export type LineTest =
  | { kind: "regex"; regex: string }
  | { kind: "index"; text: string };

/** Whether awk's marker or line test matches a line; null when not emulated. */
function lineMatcher(test: LineTest, content: string): ((line: string) => boolean) | null {
  if (test.kind === "index") return (line) => line.includes(test.text);
  const t = translateExtended(test.regex);
  if (!t || (t.localeSensitive && NON_ASCII.test(content))) return null;
  return (line) => t.regex.test(line);
}

/**
 * The file after the awk program that removes a block: every line from one holding
 * `start` to the next holding `end` (both included) is dropped.
 */
export function awkRemoveBlock(content: string, start: string, end: string): string | null {
  if (content.includes("\0")) return null;
  const out: string[] = [];
  let inBlock = false;
  for (const line of splitFile(content).lines) {
    if (!inBlock && line.includes(start)) inBlock = true;
    if (inBlock) {
      if (line.includes(end)) inBlock = false;
      continue;
    }
    out.push(line);
  }
  return joinAwk(out);
}

/**
 * The file after the awk program that rewrites a block in place: after each line
 * holding `start` the new `body` is printed, and the old lines up to the one holding
 * `end` are dropped.
 */
export function awkReplaceBlock(
  content: string,
  body: string,
  start: string,
  end: string,
): string | null {
  if (content.includes("\0")) return null;
  const out: string[] = [];
  let print = true;
  for (const line of splitFile(content).lines) {
    if (line.includes(start)) {
      out.push(line, body);
      print = false;
    }
    if (line.includes(end)) {
      out.push(line);
      print = true;
      continue;
    }
    if (print) out.push(line);
  }
  return joinAwk(out);
}

/**
 * The file after the awk program that puts a new block `before` or after the first line
 * passing `test`, or at the end when none does.
 */
export function awkInsertBlock(
  content: string,
  block: string,
  test: LineTest,
  before: boolean,
): string | null {
  if (content.includes("\0")) return null;
  const matches = lineMatcher(test, content);
  if (!matches) return null;
  const out: string[] = [];
  let done = false;
  for (const line of splitFile(content).lines) {
    if (!before) out.push(line);
    if (!done && matches(line)) {
      out.push(block);
      done = true;
    }
    if (before) out.push(line);
  }
  if (!done) out.push(block);
  return joinAwk(out);
}
