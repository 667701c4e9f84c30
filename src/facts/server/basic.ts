/**
 * The simple server facts: one command, one value.
 *
 * @module
 */
import { defineFact } from "../../core/fact.ts";
import { quote, StringCommand } from "../../core/command.ts";
import { parseZonedDate, ZonedDate } from "../../core/zoned_date.ts";

const joined = (lines: string[]) => lines.join("\n");

function simple(name: string, command: string, summary: string) {
  return defineFact<string | null>({ name, command, summary, process: joined });
}

/**
 * The user commands run as (`$USER`).
 *
 * @example
 * ```ts ignore
 * const user = await host.getFact(User);
 * ```
 */
export const User = simple("server.User", "echo $USER", "Returns the name of the current user.");

/**
 * The home folder of the user commands run as (`$HOME`).
 *
 * @example
 * ```ts ignore
 * const home = await host.getFact(Home);
 * ```
 */
export const Home = simple(
  "server.Home",
  "echo $HOME",
  "Returns the home directory of the current user.",
);

/**
 * `$PATH` of the user commands run as.
 *
 * @example
 * ```ts ignore
 * const path = await host.getFact(Path);
 * ```
 */
export const Path = simple(
  "server.Path",
  "echo $PATH",
  "Returns the path environment variable of the current user.",
);

/**
 * `$TMPDIR`, when set.
 *
 * @example
 * ```ts ignore
 * const tmp = await host.getFact(TmpDir);
 * ```
 */
export const TmpDir = simple(
  "server.TmpDir",
  "echo $TMPDIR",
  "Returns the temporary directory of the current server, if configured.",
);

/**
 * The host name (`uname -n`).
 *
 * @example
 * ```ts ignore
 * const name = await host.getFact(Hostname);
 * ```
 */
export const Hostname = simple(
  "server.Hostname",
  "uname -n",
  "Returns the current hostname of the server.",
);

/**
 * The kernel name (`uname -s`): `Linux`, `FreeBSD`, `Darwin`.
 *
 * @example
 * ```ts ignore
 * const kernel = await host.getFact(Kernel);
 * ```
 */
export const Kernel = simple(
  "server.Kernel",
  "uname -s",
  "Returns the kernel name according to uname.",
);

/**
 * The kernel version (`uname -r`).
 *
 * @example
 * ```ts ignore
 * const version = await host.getFact(KernelVersion);
 * ```
 */
export const KernelVersion = simple(
  "server.KernelVersion",
  "uname -r",
  "Returns the kernel version according to uname.",
);

/**
 * The OS name according to `uname -s` (pyinfra's older name of `server.Kernel`).
 *
 * @example
 * ```ts ignore
 * if ((await host.getFact(Os)) === "Linux") {
 *   // ...
 * }
 * ```
 */
export const Os = simple("server.Os", "uname -s", "Returns the OS name according to uname.");

/**
 * The OS version according to `uname -r` (pyinfra's older name of `server.KernelVersion`).
 *
 * @example
 * ```ts ignore
 * const version = await host.getFact(OsVersion);
 * ```
 */
export const OsVersion = simple(
  "server.OsVersion",
  "uname -r",
  "Returns the OS version according to uname.",
);

/**
 * The machine architecture (`uname -m`): `x86_64`, `aarch64`.
 *
 * @example
 * ```ts ignore
 * const arch = await host.getFact(Arch);
 * ```
 */
export const Arch = simple(
  "server.Arch",
  "uname -m",
  "Returns the system architecture according to uname.",
);

/**
 * The macOS version (`sw_vers -productVersion`), null elsewhere.
 *
 * @example
 * ```ts ignore
 * const version = await host.getFact(MacosVersion);
 * ```
 */
export const MacosVersion = defineFact<string | null>({
  name: "server.MacosVersion",
  summary: "Returns the installed MacOS version.",
  command: "sw_vers -productVersion",
  requiresCommand: "sw_vers",
  process: joined,
});

/**
 * The output of any command you give, as the user wrote it (no quoting: it is shell).
 *
 * @example
 * ```ts ignore
 * const uptime = await host.getFact(Command, { command: "uptime" });
 * ```
 */
export const Command = defineFact<string | null, { command: string }>({
  name: "server.Command",
  summary: "Returns the raw output lines of a given command.",
  argNames: ["command"],
  command: ({ command }) => command,
  process: joined,
});

/**
 * Where a program is on the PATH (`which`), or null.
 *
 * @example
 * ```ts ignore
 * const python = await host.getFact(Which, { command: "python3" });
 * ```
 */
export const Which = defineFact<string | null, { command: string }>({
  name: "server.Which",
  summary: "Returns the path of a given command, if available.",
  argNames: ["command"],
  command: ({ command }) => new StringCommand(["which", quote(command), "|| true"]),
  process: joined,
});

/**
 * The host's current date and time, with its UTC offset.
 *
 * @example
 * ```ts ignore
 * const now = await host.getFact(Date);
 * ```
 */
export const Date_ = defineFact<ZonedDate>({
  name: "server.Date",
  summary: "Returns the current datetime on the server.",
  command: "date +'%Y-%m-%dT%H:%M:%S%z'",
  process: (lines) => {
    const parsed = parseZonedDate(lines[0] ?? "");
    if (!parsed) throw new Error(`Unexpected date output: ${lines[0]}`);
    return parsed;
  },
  default: () => new ZonedDate(Date.now(), -new Date().getTimezoneOffset()),
});

/**
 * The group names in `/etc/group`.
 *
 * @example
 * ```ts ignore
 * if ((await host.getFact(Groups)).includes("docker")) console.log("in the docker group");
 * ```
 */
export const Groups = defineFact<string[]>({
  name: "server.Groups",
  summary: "Returns a list of groups on the system.",
  command: "cat /etc/group",
  process: (lines) => lines.filter((l) => l.includes(":")).map((l) => l.split(":")[0]),
  default: () => [],
});

/**
 * Installed locales (`locale -a`), `utf8` spelled `UTF-8`.
 *
 * @example
 * ```ts ignore
 * const locales = await host.getFact(Locales);
 * ```
 */
export const Locales = defineFact<string[]>({
  name: "server.Locales",
  summary: "Returns installed locales on the target host.",
  command: "locale -a",
  requiresCommand: "locale",
  process: (lines) => lines.map((l) => l.replace("utf8", "UTF-8")),
  default: () => [],
});

/** The SELinux status. */
export interface SelinuxInfo {
  mode: string | null;
}

/**
 * The SELinux status (`sestatus`): `{ mode: "enabled" }`, or mode null.
 *
 * @example
 * ```ts ignore
 * const { mode } = await host.getFact(Selinux);
 * ```
 */
export const Selinux = defineFact<SelinuxInfo>({
  name: "server.Selinux",
  summary: "Discovers the SELinux related facts on the target host.",
  command: "sestatus",
  requiresCommand: "sestatus",
  process: (lines) => ({ mode: /^SELinux status:\s+(\S+)/.exec(lines.join("\n"))?.[1] ?? null }),
  default: () => ({ mode: null }),
});

const KNOWN_GUIS: Record<string, string> = {
  "/usr/bin/gnome-session": "GNOME",
  "/usr/bin/mate-session": "MATE",
  "/usr/bin/lxsession": "LXDE",
  "/usr/bin/plasma_session": "KDE Plasma",
  "/usr/bin/xfce4-session": "XFCE 4",
};

/**
 * The Linux desktops installed (GNOME, KDE Plasma, ...).
 *
 * @example
 * ```ts ignore
 * const guis = await host.getFact(LinuxGui);
 * ```
 */
export const LinuxGui = defineFact<string[]>({
  name: "server.LinuxGui",
  summary: "Returns a list of available Linux GUIs.",
  command: "ls /usr/bin/*session || true",
  process: (lines) => lines.map((l) => KNOWN_GUIS[l]).filter((g): g is string => !!g),
  default: () => [],
});

/**
 * Whether a Linux desktop is installed.
 *
 * @example
 * ```ts ignore
 * if (await host.getFact(HasGui)) {
 *   // ...
 * }
 * ```
 */
export const HasGui = defineFact<boolean>({
  name: "server.HasGui",
  summary: "Returns a boolean indicating the remote side has GUI capabilities. Linux only.",
  command: LinuxGui.command({}),
  process: (lines) => LinuxGui.process(lines, {}).length > 0,
  default: () => false,
});
