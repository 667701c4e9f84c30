/**
 * Server facts parsed from system tables: mounts, kernel modules, sysctl, crontab,
 * security limits, lsb_release.
 *
 * @module
 */
import { defineFact } from "../../core/fact.ts";
import { quote, StringCommand } from "../../core/command.ts";

function tryInt(value: string): number | string {
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

/** Python's `text.strip("()")`: parentheses of either kind off both ends. */
const stripParens = (text: string) => text.replace(/^[()]+|[()]+$/g, "");

/** One mounted filesystem. */
export interface MountInfo {
  device: string;
  type: string;
  options: string[];
}

/**
 * Mounted filesystems by mount point (`mount`), Linux and BSD formats.
 *
 * @example
 * ```ts ignore
 * const mounts = await host.getFact(Mounts);
 * mounts["/"]?.type; // "ext4"
 * ```
 */
export const Mounts = defineFact<Record<string, MountInfo>>({
  name: "server.Mounts",
  summary: "Returns a dictionary of mounted filesystems and information.",
  command: "mount",
  process: (lines) => {
    const devices: Record<string, MountInfo> = {};
    for (let line of lines) {
      const isMap = line.startsWith("map ");
      if (isMap) line = line.slice(4);
      const [device, , path, ...rest] = line.split(" ");
      const other = rest.join(" ");
      let type: string;
      let options: string[];
      if (other.startsWith("type")) {
        const [, kind, ...more] = other.split(" ");
        type = kind;
        options = stripParens(more.join(" ")).split(",");
      } else {
        options = stripParens(other).split(",");
        type = options.shift() ?? "";
      }
      devices[path] = {
        device: isMap ? `map ${device}` : device,
        type,
        options: options.map((o) => o.trim()),
      };
    }
    return devices;
  },
  default: () => ({}),
});

/** One loaded kernel module. */
export interface KernelModuleInfo {
  size: string;
  instances: number;
  state: string;
  depends?: string[];
}

/**
 * Loaded kernel modules by name (`/proc/modules`).
 *
 * @example
 * ```ts ignore
 * if ("br_netfilter" in await host.getFact(KernelModules)) {
 *   // ...
 * }
 * ```
 */
export const KernelModules = defineFact<Record<string, KernelModuleInfo>>({
  name: "server.KernelModules",
  summary: "Returns a dictionary of kernel module name -> info.",
  command: "! test -f /proc/modules || cat /proc/modules",
  process: (lines) => {
    const modules: Record<string, KernelModuleInfo> = {};
    for (const line of lines) {
      const [name, size, instances, depends, state] = line.split(" ");
      const module: KernelModuleInfo = { size, instances: Number(instances), state };
      if (depends !== "-") module.depends = depends.split(",").filter(Boolean);
      modules[name] = module;
    }
    return modules;
  },
  default: () => ({}),
});

/**
 * `lsb_release -ca` as keys and values (`id`, `description`, `release`, `codename`).
 *
 * @example
 * ```ts ignore
 * const codename = (await host.getFact(LsbRelease))?.codename;
 * ```
 */
export const LsbRelease = defineFact<Record<string, string> | null>({
  name: "server.LsbRelease",
  summary: "Returns a dictionary of release information using lsb_release.",
  command: "lsb_release -ca",
  requiresCommand: "lsb_release",
  process: (lines) => {
    const items: Record<string, string> = {};
    for (const line of lines) {
      const at = line.indexOf(":");
      if (at < 0) continue;
      let key = line.slice(0, at).trim().toLowerCase();
      if (key.includes(" ")) key = key.split(" ").pop()!;
      items[key] = line.slice(at + 1).trim();
    }
    return items;
  },
});

/** A sysctl value: a number, a string, or a list of them. */
export type SysctlValue = number | string | (number | string)[];

/**
 * sysctl settings (`sysctl -a`, or the keys asked for).
 *
 * @example
 * ```ts ignore
 * const sysctl = await host.getFact(Sysctl, { keys: ["vm.swappiness"] });
 * ```
 */
export const Sysctl = defineFact<Record<string, SysctlValue>, { keys?: string[] | null }>({
  name: "server.Sysctl",
  summary: "Returns a dictionary of sysctl settings and values.",
  argNames: ["keys"],
  command: (
    { keys },
  ) => (keys ? new StringCommand(["sysctl", ...keys.map((k) => quote(k))]) : "sysctl -a"),
  process: (lines) => {
    const sysctls: Record<string, SysctlValue> = {};
    for (const line of lines) {
      const at = line.includes("=") ? line.indexOf("=") : line.indexOf(":");
      if (at < 0) continue;
      // As pyinfra: emptiness is judged before trimming, so `key = ` keeps an empty value.
      if (at === 0 || at === line.length - 1) continue;
      const key = line.slice(0, at).trim();
      const raw = line.slice(at + 1).trim();
      if (/^[a-zA-Z0-9_.\s]+$/.test(raw)) {
        const values = raw.split(/\s+/).map(tryInt);
        sysctls[key] = values.length === 1 ? values[0] : values;
      } else sysctls[key] = raw;
    }
    return sysctls;
  },
  default: () => ({}),
});

/** One crontab entry. */
export interface CrontabEntry {
  minute?: number | string;
  hour?: number | string;
  month?: number | string;
  day_of_month?: number | string;
  day_of_week?: number | string;
  special_time?: string;
  comments: string[];
}

/**
 * A user's crontab, command -> schedule and the comment lines above it.
 *
 * @example
 * ```ts ignore
 * const crons = await host.getFact(Crontab, { user: "deploy" });
 * ```
 */
export const Crontab = defineFact<Record<string, CrontabEntry>, { user?: string | null }>({
  name: "server.Crontab",
  summary: "Returns a dictionary of cron command -> execution time.",
  argNames: ["user"],
  requiresCommand: "crontab",
  command: ({ user }) =>
    user ? new StringCommand(["crontab -l -u", quote(user), "|| true"]) : "crontab -l || true",
  process: (lines) => {
    const crons: Record<string, CrontabEntry> = {};
    let comments: string[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) {
        comments.push(line);
        continue;
      }
      const fields = line.split(/\s+/);
      if (line.startsWith("@")) {
        const command = line.slice(fields[0].length).trim();
        crons[command] = { special_time: fields[0], comments };
      } else {
        const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
        const command = line.replace(/^(\S+\s+){5}/, "");
        crons[command] = {
          minute: tryInt(minute),
          hour: tryInt(hour),
          month: tryInt(month),
          day_of_month: tryInt(dayOfMonth),
          day_of_week: tryInt(dayOfWeek),
          comments,
        };
      }
      comments = [];
    }
    return crons;
  },
  default: () => ({}),
});

/** One line of limits.conf. */
export interface SecurityLimit {
  domain: string;
  limit_type: string;
  item: string;
  value: string;
}

/**
 * The entries of `/etc/security/limits.conf`.
 *
 * @example
 * ```ts ignore
 * const limits = await host.getFact(SecurityLimits);
 * ```
 */
export const SecurityLimits = defineFact<SecurityLimit[]>({
  name: "server.SecurityLimits",
  summary: "Returns a list of security limits on the target host.",
  command: "cat /etc/security/limits.conf",
  process: (lines) =>
    lines.filter((l) => !l.startsWith("#") && l.trim()).map((line) => {
      const [domain, limit_type, item, value] = line.trim().split(/\s+/);
      return { domain, limit_type, item, value };
    }),
  default: () => [],
});
