/**
 * `server.Users`: every user with home, shell, groups, ids, last login and password hash.
 *
 * @module
 */
import { defineFact } from "../../core/fact.ts";
import { ZonedDate } from "../../core/zoned_date.ts";

/** One user. */
export interface UserInfo {
  home: string | null;
  comment: string | null;
  shell: string | null;
  /** Primary group. */
  group: string;
  /** Other groups. */
  groups: string[];
  uid: number;
  gid: number;
  /** The last login as lastlog prints it. */
  lastlog: string | null;
  login_time: Date | null;
  /** The password hash from /etc/shadow (readable as root only). */
  password: string;
}

// pyinfra's command, but printf where it has echo: dash's echo reads backslashes, and a
// comment holding `\c` would swallow the line break, merging the next user into it.
const USERS_COMMAND = `for i in \`cat /etc/passwd | cut -d: -f1\`; do
            ENTRY=\`grep ^$i: /etc/passwd\`;
            LASTLOG_RAW=\`(lastlog -u $i 2> /dev/null || lastlogin $i 2> /dev/null)\`;
            LASTLOG=\`echo $LASTLOG_RAW | grep ^$i | tr -s ' '\`;
            PASSWORD=\`grep ^$i: /etc/shadow | cut -d: -f2\`;
            printf '%s\\n' "$ENTRY|\`id -gn $i\`|\`id -Gn $i\`|$LASTLOG|$PASSWORD";
        done`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Sat Jun 5 12:03:23 -0600 2021` or `Thu Aug 31 05:37:58 2023` as a date. */
export function parseLastlog(text: string): Date | null {
  const match =
    /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) {1,2}(\d+) (\d\d):(\d\d):(\d\d)(?: ([+-])(\d\d)(\d\d))? (\d{4})$/
      .exec(text.trim());
  if (!match) return null;
  const [, mon, day, h, mi, s, sign, oh, om, year] = match;
  const utc = Date.UTC(+year, MONTHS.indexOf(mon), +day, +h, +mi, +s);
  if (!sign) return new Date(utc);
  const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return new ZonedDate(utc - offset * 60_000, offset);
}

function splitFromRight(line: string, separator: string, count: number): string[] {
  const parts: string[] = [];
  let rest = line;
  for (let i = 0; i < count; i++) {
    const at = rest.lastIndexOf(separator);
    if (at < 0) break;
    parts.unshift(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  return [rest, ...parts];
}

/**
 * Every user of the host, by name.
 *
 * @example
 * ```ts ignore
 * const users = await host.getFact(Users);
 * users.deploy?.home; // "/home/deploy"
 * ```
 */
export const Users = defineFact<Record<string, UserInfo>>({
  name: "server.Users",
  summary: "Returns a dictionary of users -> details.",
  command: USERS_COMMAND,
  process: (lines) => {
    const users: Record<string, UserInfo> = {};
    for (const line of lines) {
      const [entry, group, userGroups, lastlog, password] = splitFromRight(line, "|", 4);
      if (!entry) continue;
      const fields = entry.split(":");
      const login = /[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}\d+ .+$/.exec(lastlog ?? "");
      users[fields[0]] = {
        home: fields[5] || null,
        comment: fields[4] || null,
        shell: fields[6] || null,
        group,
        groups: (userGroups ?? "").split(" ").filter((g) => g && g !== group),
        uid: Number(fields[2]),
        gid: Number(fields[3]),
        lastlog: login ? login[0] : null,
        login_time: login ? parseLastlog(login[0]) : null,
        password: password ?? "",
      };
    }
    return users;
  },
  default: () => ({}),
});
