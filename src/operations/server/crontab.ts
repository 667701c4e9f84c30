/**
 * `server.crontab`: one entry of a user's crontab, edited through a temporary copy
 * (`crontab -l > tmp`, edit, `crontab tmp`).
 *
 * @module
 */
import { defineOperation, type Operation } from "../../core/operation.ts";
import { type OperationCommand, quote, StringCommand } from "../../core/command.ts";
import { Crontab, type CrontabEntry } from "../../facts/server/system.ts";
import { sedReplace } from "../util/files.ts";
import { escapeBasicRegex } from "./util.ts";

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
      const entries = (await ctx.host.getFact(Crontab, { user })) ?? {};
      const nameComment = `# pyinfra-name=${cronName}`;

      let existingCommand = command;
      let existing: Partial<CrontabEntry> | undefined = Object.hasOwn(entries, command)
        ? entries[command]
        : undefined;
      if (existing === undefined && cronName) {
        for (const [other, details] of Object.entries(entries)) {
          if ((details.comments ?? []).includes(nameComment)) {
            existing = details;
            existingCommand = other;
          }
        }
      }

      const temp = ctx.tempFilename();
      const newLine = specialTime
        ? `${specialTime} ${command}`
        : `${times.minute} ${times.hour} ${times.day_of_month} ${times.month} ${times.day_of_week} ${command}`;
      // The command is matched literally (pyinfra used it as a regular expression).
      const match = `.*${escapeBasicRegex(existingCommand)}.*`;
      const sed = (replacement: string) =>
        sedReplace(temp, match, replacement, {
          interpolateVariables: args.interpolateVariables ?? false,
          timestamp: ctx.timestamp(),
        });
      const hasEntries = Object.keys(entries).length > 0;

      const edits: OperationCommand[] = [];
      if (!present && existing !== undefined) {
        edits.push(sed(""));
      } else if (present && existing === undefined) {
        if (cronName) {
          if (hasEntries) edits.push(new StringCommand(["echo '' >>", quote(temp)]));
          edits.push(new StringCommand(["echo", quote(nameComment), ">>", quote(temp)]));
        }
        edits.push(new StringCommand(["echo", quote(newLine), ">>", quote(temp)]));
      } else if (present && existing !== undefined) {
        if (existingCommand !== command || differs(existing, { specialTime, times })) {
          edits.push(sed(newLine));
        }
      }

      if (!edits.length) {
        ctx.noop(`crontab ${command} ${present ? "exists" : "does not exist"}`);
        return;
      }
      // `-u USER`, or nothing (pyinfra keeps the empty slot: `crontab -l  > tmp`).
      const userArgs = user ? new StringCommand(["-u", quote(user)]) : "";
      if (hasEntries) yield new StringCommand(["crontab -l", userArgs, ">", quote(temp)]);
      yield* edits;
      yield new StringCommand(["crontab", userArgs, quote(temp)]);
    },
  },
);
