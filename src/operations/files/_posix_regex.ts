/**
 * POSIX regular expressions (GNU sed's basic syntax with its extensions, awk's extended
 * syntax) translated to JavaScript ones, for the sed and awk emulations of `--diff`
 * (./_emulate.ts). A construct that cannot be translated exactly gives null.
 *
 * @module
 */
/** A POSIX regular expression translated to JavaScript. */
export interface Translated {
  regex: RegExp;
  /** Number of groups. */
  groups: number;
  /** Alternation, a quantified group or a back-reference: JS's first match may be shorter. */
  ambiguous: boolean;
  /** Alternation or a quantified group: what JS captures may differ from POSIX. */
  capturesDiffer: boolean;
  /** Matches differently on non-ASCII text in a UTF-8 locale than in the C locale. */
  localeSensitive: boolean;
}

const JS_SPECIAL = /[\\^$.*+?()[\]{}|/]/;
const WORD = "A-Za-z0-9_";
const SPACE = " \\t\\n\\v\\f\\r";
const CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "A-Za-z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: SPACE,
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

function literal(char: string): string {
  return JS_SPECIAL.test(char) ? `\\${char}` : char;
}

/** Whether the atom ending before `i` is repeated (`*`, or `\+` in basic syntax). */
function repeatedAt(pattern: string, i: number, basic: boolean): boolean {
  return pattern[i] === "*" || (basic ? pattern.startsWith("\\+", i) : pattern[i] === "+");
}

/**
 * A bracket expression starting at `pattern[start] === "["`: its JS class and where it
 * ends, or null for what is not emulated (a backslash, collating elements, non-ASCII).
 */
function bracket(
  pattern: string,
  start: number,
): { source: string; end: number; hasClass: boolean } | null {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === "^") {
    negate = true;
    i++;
  }
  let body = "";
  let hasClass = false;
  let first = true;
  const member = (char: string) => (/[\\\]\[^-]/.test(char) ? `\\${char}` : char);
  while (i < pattern.length) {
    const char = pattern[i];
    if (char === "]" && !first) {
      if (!body) return null;
      return { source: `[${negate ? "^" : ""}${body}]`, end: i + 1, hasClass };
    }
    first = false;
    if (char === "\\" || char.charCodeAt(0) > 0x7e || char.charCodeAt(0) < 0x20) return null;
    if (char === "[" && pattern[i + 1] === ":") {
      const close = pattern.indexOf(":]", i + 2);
      if (close < 0) return null;
      const cls = CLASSES[pattern.slice(i + 2, close)];
      if (cls === undefined) return null;
      body += cls;
      hasClass = true;
      i = close + 2;
      continue;
    }
    if (char === "[" && (pattern[i + 1] === "." || pattern[i + 1] === "=")) return null;
    if (pattern[i + 1] === "-" && pattern[i + 2] !== undefined && pattern[i + 2] !== "]") {
      const to = pattern[i + 2];
      if (to === "\\" || to === "[" || to < char || to.charCodeAt(0) > 0x7e) return null;
      body += `${member(char)}-${member(to)}`;
      i += 3;
      continue;
    }
    body += member(char);
    i++;
  }
  return null;
}

/**
 * A GNU sed basic regular expression as sed sees it (between `/` delimiters, so `\/`
 * is a `/`), translated; null for what is not emulated.
 */
export function translateBasic(pattern: string, ignoreCase: boolean): Translated | null {
  if (pattern === "") return null; // sed's "no previous regular expression"
  let out = "";
  let groups = 0;
  const open: { number: number }[] = [];
  const closed = new Set<number>();
  let atStart = true; // start of the expression, after `\(` or `\|`: `*` is literal
  let last: "none" | "atom" | "group" | "anchor" | "quantifier" = "none";
  let ambiguous = false;
  let capturesDiffer = false;
  let localeSensitive = ignoreCase;
  const quantify = (text: string): boolean => {
    if (last === "none" || last === "anchor" || last === "quantifier") return false;
    if (last === "group") {
      ambiguous = true;
      capturesDiffer = true;
    }
    out += text;
    last = "quantifier";
    atStart = false;
    return true;
  };
  const atom = (text: string) => {
    out += text;
    last = "atom";
    atStart = false;
  };
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      const next = pattern[++i];
      if (next === undefined) return null;
      if (next === "(") {
        groups++;
        open.push({ number: groups });
        out += "(";
        atStart = true;
        last = "none";
      } else if (next === ")") {
        const group = open.pop();
        if (!group) return null;
        closed.add(group.number);
        out += ")";
        last = "group";
        atStart = false;
      } else if (next === "|") {
        out += "|";
        ambiguous = true;
        capturesDiffer = true;
        atStart = true;
        last = "none";
      } else if (next === "{") {
        const end = pattern.indexOf("\\}", i + 1);
        if (end < 0) return null;
        const interval = /^(\d+)(,(\d*))?$/.exec(pattern.slice(i + 1, end));
        if (!interval) return null;
        const min = Number(interval[1]);
        const max = interval[3] ? Number(interval[3]) : undefined;
        if (min > 255 || (max !== undefined && (max < min || max > 255))) return null;
        if (!quantify(`{${min}${interval[2] ? `,${max ?? ""}` : ""}}`)) return null;
        i = end + 1;
      } else if (next === "+" || next === "?") {
        if (atStart || !quantify(next)) return null;
      } else if (next >= "1" && next <= "9") {
        if (!closed.has(Number(next))) return null;
        ambiguous = true;
        atom(`\\${next}`);
      } else if (".*[]^$\\/".includes(next)) {
        atom(`\\${next}`);
      } else if (next === "n") atom("\\n");
      else if (next === "t") atom("\\t");
      else if (next === "w" || next === "W" || next === "s" || next === "S") {
        localeSensitive = true;
        const set = next.toLowerCase() === "w" ? WORD : SPACE;
        atom(next === next.toLowerCase() ? `[${set}]` : `[^${set}]`);
      } else if (next === "b" || next === "B" || next === "<" || next === ">") {
        localeSensitive = true;
        out += next === "b"
          ? "\\b"
          : next === "B"
          ? "\\B"
          : next === "<"
          ? `\\b(?=[${WORD}])`
          : `\\b(?<=[${WORD}])`;
        last = "anchor";
        atStart = false;
      } else if (next === "`" || next === "'") {
        out += next === "`" ? "^" : "$";
        last = "anchor";
      } else return null;
      continue;
    }
    if (char === "*") {
      if (atStart) atom("\\*");
      else if (!quantify("*")) return null;
    } else if (char === "^" && atStart && last !== "anchor") {
      out += "^";
      last = "anchor";
    } else if (
      char === "$" &&
      (i === pattern.length - 1 || pattern.startsWith("\\)", i + 1) ||
        pattern.startsWith("\\|", i + 1))
    ) {
      out += "$";
      last = "anchor";
      atStart = false;
    } else if (char === "[") {
      const found = bracket(pattern, i);
      if (!found) return null;
      if (found.hasClass || !repeatedAt(pattern, found.end, true)) localeSensitive = true;
      atom(found.source);
      i = found.end - 1;
    } else if (char === ".") {
      if (!repeatedAt(pattern, i + 1, true)) localeSensitive = true;
      atom(".");
    } else {
      // In the C locale sed would repeat the last byte of a multi-byte character.
      if (
        char.charCodeAt(0) > 0x7f &&
        (repeatedAt(pattern, i + 1, true) || /^\\[?{]/.test(pattern.slice(i + 1)))
      ) {
        return null;
      }
      atom(literal(char));
    }
  }
  if (open.length) return null;
  try {
    return {
      regex: new RegExp(out, ignoreCase ? "gsi" : "gs"),
      groups,
      ambiguous,
      capturesDiffer,
      localeSensitive,
    };
  } catch {
    return null;
  }
}

/**
 * An awk extended regular expression, translated for testing whether a line matches;
 * null for what is not emulated (intervals, escapes other than of operators).
 */
export function translateExtended(pattern: string): Translated | null {
  let out = "";
  let depth = 0;
  let last: "none" | "atom" | "anchor" | "quantifier" = "none";
  let localeSensitive = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "\\") {
      const next = pattern[++i];
      if (next === undefined || !".[]()*+?{}|^$\\/".includes(next)) return null;
      out += `\\${next}`;
      last = "atom";
    } else if (char === "*" || char === "+" || char === "?") {
      if (last !== "atom") return null;
      out += char;
      last = "quantifier";
    } else if (char === "{" || char === "}") {
      return null;
    } else if (char === "(") {
      if (pattern[i + 1] === ")" || "*+?|".includes(pattern[i + 1] ?? "")) return null;
      depth++;
      out += "(";
      last = "none";
    } else if (char === ")") {
      if (depth === 0 || last === "none") return null;
      depth--;
      out += ")";
      last = "atom";
    } else if (char === "|") {
      if (last === "none" || i === pattern.length - 1 || pattern[i + 1] === ")") return null;
      out += "|";
      last = "none";
    } else if (char === "^" || char === "$") {
      // Anchors only where they can match: awks differ about `a^b`.
      const placed = char === "^"
        ? i === 0 || "(|".includes(pattern[i - 1])
        : i === pattern.length - 1 || ")|".includes(pattern[i + 1]);
      if (!placed) return null;
      out += char;
      last = "anchor";
    } else if (char === "[") {
      const found = bracket(pattern, i);
      if (!found) return null;
      if (found.hasClass || !repeatedAt(pattern, found.end, false)) localeSensitive = true;
      out += found.source;
      last = "atom";
      i = found.end - 1;
    } else if (char === ".") {
      if (!repeatedAt(pattern, i + 1, false)) localeSensitive = true;
      out += ".";
      last = "atom";
    } else {
      // A byte-wise awk would repeat the last byte of a multi-byte character.
      if (char.charCodeAt(0) > 0x7f && "*+?".includes(pattern[i + 1] ?? "-")) return null;
      out += literal(char);
      last = "atom";
    }
  }
  if (depth) return null;
  try {
    return {
      regex: new RegExp(out, "s"),
      groups: 0,
      ambiguous: false,
      capturesDiffer: false,
      localeSensitive,
    };
  } catch {
    return null;
  }
}
