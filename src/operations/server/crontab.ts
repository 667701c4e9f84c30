/**
 * `server.crontab`: one entry of a user's crontab, edited in a pipe
 * (`crontab -l | awk ... | crontab -`): no temporary file holds the crontab.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { shellQuote } from "../../core/quote.ts";
import { OperationValueError } from "../../core/errors.ts";
import { Crontab, type CrontabEntry } from "../../facts/server/system.ts";
import { interpolatedArgument } from "../util/files.ts";

// awk programs that take the entry's command (c) and new line (n) from their operands,
// as data, and read the crontab from stdin.
const AWK_TAKE_COMMAND = 'BEGIN {c=ARGV[1]; ARGV[1]=""}';
const AWK_TAKE_COMMAND_AND_LINE = 'BEGIN {c=ARGV[1]; n=ARGV[2]; ARGV[1]=""; ARGV[2]=""}';
// An entry is found by its command on a line that is not a comment.
const NOT_COMMENT = "!/^[ \\t]*#/";

function camelCase(name: string): string {
  return name.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
}

/** Refuses a newline or NUL in a part of a crontab entry, naming the argument. */
function oneLine(text: string, argument: string): void {
  if (/[\n\r\0]/.test(String(text))) {
    throw new OperationValueError(
      `Invalid argument \`${argument}\` of server.crontab: a crontab entry is one line, ` +
        `without a newline, carriage return or NUL: ${JSON.stringify(text)}`,
    );
  }
}

/** A crontab time field: `"*"`, a number, a range or step (`"1-5"`, `"0/15"`), or a list (joined with commas). */
export type CronField = string | number | (string | number)[];

/** Options of {@linkcode crontab}. */
export interface CrontabOptions {
  /** The command the entry runs; it identifies the entry unless `cronName` is given. */
  command: string;
  /** Whether the entry should exist. @default {true} */
  present?: boolean;
  /** Whose crontab (`crontab -u`). @default {the user commands run as} */
  user?: string | null;
  /**
   * A name kept in a `# pyinfra-name=NAME` comment above the entry, so that a later
   * change of `command` replaces the entry rather than adding one.
   */
  cronName?: string | null;
  /** Minutes. @default {"*"} */
  minute?: CronField;
  /** Hours. @default {"*"} */
  hour?: CronField;
  /** Months. @default {"*"} */
  month?: CronField;
  /** Days of the week. @default {"*"} */
  dayOfWeek?: CronField;
  /** Days of the month. @default {"*"} */
  dayOfMonth?: CronField;
  /** A nickname (`@reboot`, `@daily`, ...) used instead of the five time fields. */
  specialTime?: string | null;
  /** Let the shell expand `$VARS` in the edit's sed script (your explicit choice). @default {false} */
  interpolateVariables?: boolean;
}

function field(value: CronField | undefined): string {
  if (value === undefined) return "*";
  return Array.isArray(value) ? value.map(String).join(",") : String(value);
}

/** Whether an existing entry differs from the wanted schedule and command. */
function differs(
  existing: Partial<CrontabEntry>,
  wanted: { specialTime: string | null; times: Record<string, string> },
): boolean {
  const special = existing.special_time ?? null;
  if (wanted.specialTime || special) return wanted.specialTime !== special;
  const current: Record<string, unknown> = { ...existing };
  return Object.entries(wanted.times).some(([key, value]) =>
    current[key] === undefined || current[key] === null || String(current[key]) !== value
  );
}

/**
 * Adds, updates or removes a crontab entry.
 *
 * @example
 * ```ts ignore
 * server.crontab({ command: "/usr/local/bin/backup", cronName: "backup", hour: 1, minute: 0 });
 * ```
 */
export const crontab: Operation<CrontabOptions> = defineOperation<CrontabOptions>(
  "server.crontab",
  {
    argNames: [
      "command",
      "present",
      "user",
      "cronName",
      "minute",
      "hour",
      "month",
      "dayOfWeek",
      "dayOfMonth",
      "specialTime",
      "interpolateVariables",
    ],
    summary: "Add/remove/update crontab entries.",
    async *generator(args, ctx) {
      const { command, cronName } = args;
      const present = args.present ?? true;
      const user = args.user ?? null;
      const specialTime = args.specialTime || null;
      const times = {
        minute: field(args.minute),
        hour: field(args.hour),
        day_of_month: field(args.dayOfMonth),
        month: field(args.month),
        day_of_week: field(args.dayOfWeek),
      };
      // A crontab entry is one line: a newline in any part would add a line of its own.
      oneLine(command, "command");
      if (cronName) oneLine(cronName, "cronName");
      if (specialTime) oneLine(specialTime, "specialTime");
      if (user) oneLine(user, "user");
      for (const [name, value] of Object.entries(times)) oneLine(value, camelCase(name));

      const entries = (await ctx.host.getFact(Crontab, { user })) ?? {};
      const nameComment = `# pyinfra-name=${cronName}`;

      // The fact reads an entry's command without the whitespace around it (cron ignores
      // it too): an entry is found, and compared, by its trimmed command.
      const key = command.trim();
      let existingCommand = key;
      let existing: Partial<CrontabEntry> | undefined = Object.hasOwn(entries, key)
        ? entries[key]
        : undefined;
      if (existing === undefined && cronName) {
        for (const [other, details] of Object.entries(entries)) {
          if ((details.comments ?? []).includes(nameComment)) {
            existing = details;
            existingCommand = other;
          }
        }
      }

      const newLine = specialTime
        ? `${specialTime} ${command}`
        : `${times.minute} ${times.hour} ${times.day_of_month} ${times.month} ${times.day_of_week} ${command}`;
      const value = (text: string) =>
        args.interpolateVariables ? interpolatedArgument(text) : quote(text);
      const hasEntries = Object.keys(entries).length > 0;
      const userArgs = user ? ["-u", quote(user)] : [];
      // The new crontab goes to `crontab -` through a pipe: no temporary file. The
      // current one is read first and must be read whole (`&&`), or nothing is written.
      const current = new StringCommand(['tab="$(crontab -l', ...userArgs, ')" &&']);
      const install = new StringCommand(["| crontab", ...userArgs, "-"]);
      // Text reaches the crontab through printf '%s\n' (dash's echo would read its
      // backslashes) and through awk operands read as data (never as a program).
      const edit = (program: string, data: string[]) =>
        new StringCommand([
          current,
          `printf '%s\\n' "$tab" | awk`,
          shellQuote(program),
          ...data.map(value),
          install,
        ]);

      let change: StringCommand | null = null;
      if (!present && existing !== undefined) {
        // As pyinfra, the entry's line is emptied rather than deleted.
        change = edit(`${AWK_TAKE_COMMAND} ${NOT_COMMENT} && index($0, c) {print ""; next} 1`, [
          existingCommand,
        ]);
      } else if (present && existing === undefined) {
        const lines = cronName ? [...(hasEntries ? [""] : []), nameComment, newLine] : [newLine];
        change = new StringCommand([
          ...(hasEntries ? [current, `printf '%s\\n' "$tab"`, "&&"] : []),
          `printf '%s\\n'`,
          ...lines.map(value),
        ]);
        change = hasEntries
          ? new StringCommand(["{", change, ";}", install])
          : new StringCommand([change, install]);
      } else if (present && existing !== undefined) {
        if (existingCommand !== key || differs(existing, { specialTime, times })) {
          change = edit(
            `${AWK_TAKE_COMMAND_AND_LINE} ${NOT_COMMENT} && index($0, c) {print n; next} 1`,
            [existingCommand, newLine],
          );
        }
      }

      if (!change) {
        ctx.noop(`crontab ${command} ${present ? "exists" : "does not exist"}`);
        return;
      }
      yield change;
    },
  },
);
