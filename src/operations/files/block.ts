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
import { Block, blockMarkers } from "../../facts/files.ts";
import { OperationValueError } from "../../core/errors.ts";
import { adjustRegex } from "../util/files.ts";

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
   * The marker line, `{mark}` standing for `begin`/`end`; no `/` or backslash in it. @default {"#
   * {mark} PYINFRA BLOCK"}
   */
  marker?: string | null;
  /** The word for `{mark}` in the opening marker. @default {"BEGIN"} */
  begin?: string | null;
  /** The word for `{mark}` in the closing marker. @default {"END"} */
  end?: string | null;
}

const SHELL_SPECIAL = /[$`\\"]/;

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
    // Markers go inside awk /regexes/ (here and in the Block fact): no delimiter in them.
    if (/[/\\]/.test(start + end)) {
      throw new OperationValueError(
        `block markers cannot contain slashes or backslashes: ${start}`,
      );
    }

    if (!present) {
      if (current === null) return ctx.noop("no remove required: file did not exist");
      if (current.length === 0) return ctx.noop("no remove required: markers not found");
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(`/${start}/,/${end}/ {next} 1`),
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
      const regex = adjustRegex(args.line!, args.escapeRegexCharacters ?? false)
        .replaceAll("/", "\\/");
      const printBefore = before ? "{ print }" : "";
      const printAfter = after ? "{ print }" : "";
      // pyinfra's END prints ARGV[2], emptied in BEGIN: an empty line instead of the
      // block when no line matches. x still holds the block.
      const program = `BEGIN {x=ARGV[2]; ARGV[2]=""} ${printAfter} f!=1 && /${regex}/ ` +
        `{ print x; f=1} END {if (f==0) print x } ${printBefore}`;
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(program),
        quotedPath,
        argument(theBlock),
        "> $OUT &&",
        replaceFile,
      ]);
    } else if (current.length !== content.length || content.some((l, i) => l !== current[i])) {
      const program = `BEGIN {{f=1; x=ARGV[2]; ARGV[2]=""}}/${start}/ {print; print x; f=0} ` +
        `/${end}/ {print; f=1; next} f`;
      yield new StringCommand([
        prepare,
        "awk",
        shellQuote(program),
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
