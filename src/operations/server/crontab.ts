/**
 * `server.crontab`: one entry of a user's crontab, edited as pyinfra does (`crontab -l >
 * FILE`, `echo`/sed on FILE, `crontab FILE`) but in a private temporary file
 * (`ctx.privateTempFilename()`: random name, mode 600, removed on every path), with the
 * entry's text taken literally by sed and written with printf when dash's echo would read
 * it.
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { OperationValueError } from "../../core/errors.ts";
import { Crontab, type CrontabEntry } from "../../facts/server/system.ts";
import { interpolatedArgument, sedPattern, sedReplace, sedReplacement } from "../util/files.ts";

/**
 * Text as a sed basic regular expression that matches exactly it: each of `\ . * [ ^ $`
 * gets a backslash (backslash first, as every one is escaped). `]` is plain outside a
 * bracket, and sedReplace escapes the `/` delimiter.
 */
function sedLiteral(text: string): string {
  return text.replace(/[\\.*[^$]/g, "\\$&");
}

/** An entry's line as the fact read it, with single spaces between the fields. */
function entryLine(command: string, entry: Partial<CrontabEntry>): string {
  if (entry.special_time) return `${entry.special_time} ${command}`;
  const fields = [entry.minute, entry.hour, entry.day_of_month, entry.month, entry.day_of_week];
  return [...fields.filter((f) => f !== undefined && f !== null), command].join(" ");
}

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
      const hasEntries = Object.keys(entries).length > 0;
      const temp = ctx.privateTempFilename();
      // pyinfra's bytes: `crontab -l  > FILE` and `crontab  FILE` without a user.
      const userArgs = user ? new StringCommand(["-u", quote(user)]) : "";
      // dash's echo reads backslashes (and a leading -n): such a line goes through printf.
      const append = (line: string) =>
        new StringCommand([
          args.interpolateVariables || /\\/.test(line) || line.startsWith("-")
            ? "printf '%s\\n'"
            : "echo",
          args.interpolateVariables ? interpolatedArgument(line) : quote(line),
          ">>",
          quote(temp),
        ]);
      // The entry's line is found by its command, taken literally, as pyinfra's
      // `.*COMMAND.*`; the new text is written literally too (`\1` included). That pattern
      // also takes any other line holding the command (a comment naming it, a longer
      // command): when a line the fact read is one, the match is narrowed to a line that
      // is not a comment and ends with the command, after a space or at its start.
      const literal = sedLiteral(existingCommand);
      const ambiguous = Object.entries(entries).some(([other, details]) =>
        (details.comments ?? []).some((comment) => comment.includes(existingCommand)) ||
        (other !== existingCommand &&
          [other, entryLine(other, details)].some((text) => text.includes(existingCommand)))
      );
      const replaceLine = (replacement: string) => {
        const options = {
          timestamp: ctx.timestamp(),
          interpolateVariables: args.interpolateVariables,
          argument: "command",
          literal: true,
        };
        if (!ambiguous) return sedReplace(temp, `.*${literal}.*`, replacement, options);
        const script = `/^[[:space:]]*#/!s/^\\(.*[[:space:]]\\)\\{0,1\\}${
          sedPattern(literal, "command")
        }[[:space:]]*$/${sedReplacement(replacement, true)}/`;
        return new StringCommand([
          "sed",
          quote(`-i.${options.timestamp}`),
          args.interpolateVariables ? interpolatedArgument(script) : quote(script),
          quote(temp),
          "&& rm -f",
          quote(`${temp}.${options.timestamp}`),
        ]);
      };

      const edits: StringCommand[] = [];
      if (!present && existing !== undefined) {
        // As pyinfra, the entry's line is emptied rather than deleted.
        edits.push(replaceLine(""));
      } else if (present && existing === undefined) {
        if (cronName && hasEntries) edits.push(append(""));
        if (cronName) edits.push(append(nameComment));
        edits.push(append(newLine));
      } else if (present && existing !== undefined) {
        if (existingCommand !== key || differs(existing, { specialTime, times })) {
          edits.push(replaceLine(newLine));
        }
      }

      if (!edits.length) {
        ctx.noop(`crontab ${command} ${present ? "exists" : "does not exist"}`);
        return;
      }
      // Without entries there may be no crontab, and `crontab -l` would fail: the file
      // starts empty (as created).
      if (hasEntries) {
        yield new StringCommand(["crontab", "-l", userArgs, ">", quote(temp)]);
      }
      yield* edits;
      yield new StringCommand(["crontab", userArgs, quote(temp)]);
    },
  },
);
