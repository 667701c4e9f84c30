/**
 * `files.block`: a block of lines between marker lines, added, updated or removed.
 *
 * Unlike pyinfra, block content never reaches the shell unquoted: when it holds
 * characters the shell would expand (`$`, backticks, `\`, `"`) it is passed in single
 * quotes and a quoted here-document, and the awk programs are quoted whole. Plain content
 * gives pyinfra's exact commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { shellQuote } from "../../core/quote.ts";
import {
  assertOneLine,
  awkData,
  awkLiteralSafe,
  Block,
  checkedBlockMarkers,
  operandPath,
} from "../../facts/files.ts";
import { Command } from "../../facts/server/basic.ts";
import type { OperationContext } from "../../core/operation.ts";
import { OperationValueError } from "../../core/errors.ts";
import { adjustRegex } from "../util/files.ts";
import { awkInsertBlock, awkRemoveBlock, awkReplaceBlock, type LineTest } from "./_emulate.ts";
import { prefetchContents, showDiff } from "./_diff.ts";

/** Options of {@linkcode block}. */
export interface BlockOptions {
  /** The file on the host (created when missing and the block is wanted). */
  path: string;
  /**
   * The lines between the markers (a string is split on newlines); required when `present`.
   * @default {null}
   */
  content?: string | string[] | null;
  /**
   * Whether the block should be in the file (`false` removes it, markers included). @default {true}
   */
  present?: boolean;
  /**
   * A regular expression (awk) of the line to put a new block `before` or `after`;
   * whole-line (`^.*`/`.*$` added). When no line matches, the block is appended.
   * @default {null} (start or end of the file)
   */
  line?: string | null;
  /** Keep a copy of the file (`PATH.TIMESTAMP`) before editing it. @default {false} */
  backup?: boolean;
  /** Match `line` literally: regex characters in it are escaped. @default {false} */
  escapeRegexCharacters?: boolean;
  /**
   * Always pass the content in single quotes (tsinfra already does whenever the shell
   * would change it, so this only changes how plain content is written). @default {false}
   */
  tryPreventShellExpansion?: boolean;
  /**
   * Add a new block before `line`; with neither `line` nor `after`, at the start of the file.
   * @default {false}
   */
  before?: boolean;
  /**
   * Add a new block after `line`; with neither `line` nor `before`, at the end of the file.
   * @default {false}
   */
  after?: boolean;
  /**
   * The marker line, `{mark}` standing for `begin`/`end`; found literally, one line. @default {"#
   * {mark} PYINFRA BLOCK"}
   */
  marker?: string | null;
  /** The word for `{mark}` in the opening marker. @default {"BEGIN"} */
  begin?: string | null;
  /** The word for `{mark}` in the closing marker. @default {"END"} */
  end?: string | null;
}

const SHELL_SPECIAL = /[$`\\"]/;

/**
 * Whether an awk regex can go between `/` delimiters as it is: no `/` or newline, no
 * bracket expression (gawk's lexer reads one as a unit, so a `/` could hide in it), and
 * no backslash left to escape the closing delimiter.
 */
function awkRegexLiteralSafe(regex: string): boolean {
  if (/[/\n\0]/.test(regex)) return false;
  for (let i = 0; i < regex.length; i++) {
    if (regex[i] === "[") return false;
    if (regex[i] === "\\") {
      if (i + 1 >= regex.length) return false;
      i++;
    }
  }
  return true;
}

/**
 * The awk test for `line`: pyinfra's `/regex/` when that is safe, else a test on data
 * passed as an operand (`l`): `index($0, l)` for a literal line, `$0 ~ l` for a regex.
 */
function lineTest(
  line: string,
  literal: boolean,
): { test: string; data: string | null; emulated: LineTest } {
  const regex = adjustRegex(line, literal);
  // adjustRegex does not escape `|`, so a literal line with one is found with index().
  if (awkRegexLiteralSafe(regex) && !(literal && line.includes("|"))) {
    return { test: `/${regex}/`, data: null, emulated: { kind: "regex", regex } };
  }
  return literal
    ? { test: "index($0, l)", data: line, emulated: { kind: "index", text: line } }
    : { test: "$0 ~ l", data: regex, emulated: { kind: "regex", regex } };
}

/** The block's lines byte for byte (a `.` is printed after each, so none loses its `\r`). */
async function exactBlockLines(
  ctx: OperationContext,
  file: ReturnType<typeof quote>,
  start: string,
  end: string,
): Promise<string[]> {
  const program = `${awkData(["s", "e"])} index($0, e) { f=0} f { print $0 "." } ` +
    `index($0, s) { f=1}`;
  const command = new StringCommand([
    "awk",
    shellQuote(program),
    file,
    quote(start),
    quote(end),
    "|| true",
  ]);
  const output = await ctx.host.getFact(Command, { command: command.raw() });
  if (!output) return [];
  return output.split("\n").map((text) => text.slice(0, -1));
}

function heredocTerminator(text: string): string {
  let terminator = "PYINFRAHERE";
  while (text.split("\n").includes(terminator)) terminator += "_";
  return terminator;
}

/**
 * Ensures a block of lines, framed by marker lines, is (or is not) in a file: a new
 * block goes at the end (or start, or next to `line`), a different one is rewritten in
 * place, and removal drops it with its markers. The file keeps its owner and mode.
 *
 * @example
 * ```ts ignore
 * import { files } from "tsinfra/operations";
 * files.block({ path: "/etc/hosts", content: "10.0.0.1 db\n10.0.0.2 cache" });
 * files.block({
 *   path: "/var/www/index.html",
 *   content: "<p>Out of date</p>",
 *   line: "<body>",
 *   after: true,
 *   marker: "<!-- {mark} NOTICE -->",
 * });
 * ```
 */
export const block: Operation<BlockOptions> = defineOperation<BlockOptions>("files.block", {
  summary:
    "Ensure content, surrounded by the appropriate markers, is present (or not) in the file.",
  argNames: [
    "path",
    "content",
    "present",
    "line",
    "backup",
    "escapeRegexCharacters",
    "tryPreventShellExpansion",
    "before",
    "after",
    "marker",
    "begin",
    "end",
  ],
  async *generator(args, ctx) {
    const { path, present = true, before = false, after = false } = args;
    // Every argument is checked before a fact is read or a command built (also under
    // --dry): markers and `line` are lines of the file, so they cannot hold a newline.
    const { start, end } = checkedBlockMarkers(args, "files.block");
    const line = args.line ?? null;
    if (line !== null) assertOneLine(line, "line", "files.block");
    let content: string[] = [];
    if (present) {
      if (!args.content) {
        throw new OperationValueError("'content' must be supplied when 'present' == True");
      }
      if (line) {
        if (before === after) {
          throw new OperationValueError(
            "only one of 'before' or 'after' used when 'line` is specified",
          );
        }
      } else if (before !== after) {
        throw new OperationValueError(
          "'line' must be supplied or 'before' and 'after' must be equal",
        );
      }
      const given = typeof args.content === "string" ? [args.content] : args.content;
      content = given.flatMap((text) => String(text).split("\n"));
      if (content.some((text) => text.includes("\0"))) {
        throw new OperationValueError(
          "Invalid argument `content` of files.block: it cannot contain a NUL byte",
        );
      }
    }
    // Markers that mean themselves in an awk /regex/ keep pyinfra's programs; others
    // are given to awk as data and found with index().
    const plainMarkers = awkLiteralSafe(start + end);
    const markerData = plainMarkers ? [] : [quote(start), quote(end)];
    const file = quote(operandPath(path));
    let prepare = new StringCommand(['OUT="$(TMPDIR=/tmp mktemp -t pyinfra.XXXXXX)" && ']);
    if (args.backup) {
      prepare = new StringCommand([
        "cp",
        file,
        quote(operandPath(`${path}.${ctx.timestamp()}`)),
        "&&",
        prepare,
      ]);
    }
    const replaceFile = new StringCommand([
      "chmod $(stat -c %a",
      file,
      "2>/dev/null || stat -f %Lp",
      file,
      ") $OUT && ",
      '(chown $(stat -c "%U:%G"',
      file,
      "2>/dev/null) $OUT || ",
      'chown -n $(stat -f "%u:%g"',
      file,
      ') $OUT)  && mv "$OUT"',
      file,
    ]);
    // With --diff, the file's content is read in the same round trip as the block.
    prefetchContents(ctx, path);
    const current = await ctx.host.getFact(Block, {
      path,
      marker: args.marker ?? null,
      begin: args.begin ?? null,
      end: args.end ?? null,
    });

    if (!present) {
      if (current === null) return ctx.noop("no remove required: file did not exist");
      if (current.length === 0) return ctx.noop("no remove required: markers not found");
      const program = plainMarkers
        ? `/${start}/,/${end}/ {next} 1`
        : `${awkData(["s", "e"])} index($0, s) {f=1} f {if (index($0, e)) f=0; next} 1`;
      await showDiff(ctx, path, (text) => text === null ? null : awkRemoveBlock(text, start, end));
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(program),
        file,
        ...markerData,
        "> $OUT &&",
        replaceFile,
      ]);
      return;
    }
    const theBlock = [start, ...content, end].join("\n");
    const literal = args.tryPreventShellExpansion || SHELL_SPECIAL.test(theBlock);
    // pyinfra's double-quoted form is kept only when the shell would not change the text.
    const argument = (text: string) => (literal ? shellQuote(text) : `"${text}"`);

    if (current === null || (current.length === 0 && before === after)) {
      const redirect = current === null ? ">" : ">>";
      const stdin = current !== null && current.length === 0 && before ? "- " : "";
      const terminator = heredocTerminator(theBlock);
      const open = literal || terminator !== "PYINFRAHERE"
        ? `<<'${terminator}'`
        : `<<${terminator}`;
      // An unquoted here-document only holds text the shell leaves as it is.
      await showDiff(
        ctx,
        path,
        (before) => `${current === null ? "" : before ?? ""}${theBlock}\n`,
      );
      yield new StringCommand([
        `cat ${stdin}${redirect}`,
        quote(path),
        open,
        `\n${theBlock}\n${terminator}`,
      ]);
      return;
    }
    if (current.length === 0) {
      const { test, data, emulated } = lineTest(line!, args.escapeRegexCharacters ?? false);
      await showDiff(
        ctx,
        path,
        (text) => text === null ? null : awkInsertBlock(text, theBlock, emulated, before),
      );
      const printBefore = before ? "{ print }" : "";
      const printAfter = after ? "{ print }" : "";
      // pyinfra's END prints ARGV[2], emptied in BEGIN: an empty line instead of the
      // block when no line matches. x still holds the block.
      const program = `${awkData(data === null ? ["x"] : ["x", "l"])} ${printAfter} ` +
        `f!=1 && ${test} { print x; f=1} END {if (f==0) print x } ${printBefore}`;
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(program),
        file,
        argument(theBlock),
        ...(data === null ? [] : [quote(data)]),
        "> $OUT &&",
        replaceFile,
      ]);
      return;
    }
    // Output lines lose a carriage return at their end: content with one is compared
    // with the block's exact bytes, read again with a mark after each line.
    const existing = content.some((text) => text.endsWith("\r"))
      ? await exactBlockLines(ctx, file, start, end)
      : current;
    if (existing.length !== content.length || content.some((l, i) => l !== existing[i])) {
      const program = plainMarkers
        ? `BEGIN {{f=1; x=ARGV[2]; ARGV[2]=""}}/${start}/ {print; print x; f=0} ` +
          `/${end}/ {print; f=1; next} f`
        : `${awkData(["x", "s", "e"], "f=1")} ` +
          `index($0, s) {print; print x; f=0} index($0, e) {print; f=1; next} f`;
      await showDiff(
        ctx,
        path,
        (text) => text === null ? null : awkReplaceBlock(text, content.join("\n"), start, end),
      );
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(program),
        file,
        argument(content.join("\n")),
        ...markerData,
        "> $OUT &&",
        replaceFile,
      ]);
    } else {
      ctx.noop("content already present");
    }
  },
});
