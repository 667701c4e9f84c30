/**
 * `files.block`: a block of lines between marker lines, added, updated or removed.
 *
 * Unlike pyinfra, block content never reaches the shell unquoted: when it holds
 * characters the shell would expand (`$`, backticks, `\`, `"`) it is passed in single
 * quotes and a quoted here-document. Plain content gives pyinfra's exact commands.
 *
 * @module
 */
import { defineOperation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { shellQuote } from "../../core/quote.ts";
import { Block, blockMarkers } from "../../facts/files.ts";
import { OperationValueError } from "../../core/errors.ts";
import { adjustRegex } from "../util/files.ts";

/** Options of {@linkcode block}. */
export interface BlockOptions {
  /** The file to edit. */
  path: string;
  /** The lines of the block (a string is split on newlines). */
  content?: string | string[] | null;
  /** Whether the block should be in the file. @default {true} */
  present?: boolean;
  /** A line (regular expression) to put the block before or after, when adding it. */
  line?: string | null;
  /** Keep a timestamped copy of the file before editing. @default {false} */
  backup?: boolean;
  /** Match `line` literally rather than as a regular expression. @default {false} */
  escapeRegexCharacters?: boolean;
  /** Always pass content in single quotes (tsinfra does so whenever it matters). @default {false} */
  tryPreventShellExpansion?: boolean;
  /** Add the block before `line` (or at the start of the file). @default {false} */
  before?: boolean;
  /** Add the block after `line` (or at the end of the file). @default {false} */
  after?: boolean;
  /** Marker line with `{mark}` for BEGIN/END. @default {"# {mark} PYINFRA BLOCK"} */
  marker?: string | null;
  /** The begin word. @default {"BEGIN"} */
  begin?: string | null;
  /** The end word. @default {"END"} */
  end?: string | null;
}

const SHELL_SPECIAL = /[$`\\"]/;

function heredocTerminator(text: string): string {
  let terminator = "PYINFRAHERE";
  while (text.split("\n").includes(terminator)) terminator += "_";
  return terminator;
}

/**
 * Ensures a block of lines, framed by marker lines, is (or is not) in a file.
 *
 * @example
 * ```ts ignore
 * files.block({ path: "/etc/hosts", content: "10.0.0.1 db\n10.0.0.2 cache", after: true });
 * ```
 */
export const block = defineOperation<BlockOptions>("files.block", {
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
    const { start, end } = blockMarkers(args);
    const quotedPath = quote(path);
    let prepare = new StringCommand(['OUT="$(TMPDIR=/tmp mktemp -t pyinfra.XXXXXX)" && ']);
    if (args.backup) {
      prepare = new StringCommand([
        "cp",
        quotedPath,
        quote(`${path}.${ctx.timestamp()}`),
        "&&",
        prepare,
      ]);
    }
    const replaceFile = new StringCommand([
      "chmod $(stat -c %a",
      quotedPath,
      "2>/dev/null || stat -f %Lp",
      quotedPath,
      ") $OUT && ",
      '(chown $(stat -c "%U:%G"',
      quotedPath,
      "2>/dev/null) $OUT || ",
      'chown -n $(stat -f "%u:%g"',
      quotedPath,
      ') $OUT)  && mv "$OUT"',
      quotedPath,
    ]);
    const current = await ctx.host.getFact(Block, {
      path,
      marker: args.marker ?? null,
      begin: args.begin ?? null,
      end: args.end ?? null,
    });
    // Markers go inside awk /regexes/ in single quotes: keep them plain.
    if (/['/\\]/.test(start + end)) {
      throw new OperationValueError(
        `block markers cannot contain quotes, slashes or backslashes: ${start}`,
      );
    }

    if (!present) {
      if (current === null) return ctx.noop("no remove required: file did not exist");
      if (current.length === 0) return ctx.noop("no remove required: markers not found");
      yield new StringCommand([
        prepare,
        `awk '/${start}/,/${end}/ {next} 1'`,
        quotedPath,
        "> $OUT &&",
        replaceFile,
      ]);
      return;
    }
    if (!args.content) {
      throw new OperationValueError("'content' must be supplied when 'present' == True");
    }
    if (args.line) {
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
    const content = typeof args.content === "string" ? args.content.split("\n") : args.content;
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
      yield new StringCommand([
        `cat ${stdin}${redirect}`,
        quotedPath,
        open,
        `\n${theBlock}\n${terminator}`,
      ]);
    } else if (current.length === 0) {
      const regex = adjustRegex(args.line!, args.escapeRegexCharacters ?? false);
      if (regex.includes("'")) {
        throw new OperationValueError(`line cannot contain a single quote: ${args.line}`);
      }
      const printBefore = before ? "{ print }" : "";
      const printAfter = after ? "{ print }" : "";
      const program =
        `awk 'BEGIN {x=ARGV[2]; ARGV[2]=""} ${printAfter} f!=1 && /${
          regex.replaceAll("/", "\\/")
        }/ { print x; f=1} ` +
        `END {if (f==0) print ARGV[2] } ${printBefore}'`;
      yield new StringCommand([
        prepare,
        program,
        quotedPath,
        argument(theBlock),
        "> $OUT &&",
        replaceFile,
      ]);
    } else if (current.length !== content.length || content.some((l, i) => l !== current[i])) {
      const program = `awk 'BEGIN {{f=1; x=ARGV[2]; ARGV[2]=""}}/${start}/ {print; print x; f=0} ` +
        `/${end}/ {print; f=1; next} f'`;
      yield new StringCommand([
        prepare,
        program,
        quotedPath,
        argument(content.join("\n")),
        "> $OUT &&",
        replaceFile,
      ]);
    } else {
      ctx.noop("content already present");
    }
  },
});
