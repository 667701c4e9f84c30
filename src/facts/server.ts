/**
 * Facts about the host itself: `server.Os`, `server.Hostname`, `server.Users`,
 * `server.LinuxName`, ... Names, arguments and parsing follow pyinfra's
 * `pyinfra.facts.server`.
 *
 * @module
 */
export {
  Arch,
  Command,
  Date_ as Date,
  Groups,
  HasGui,
  Home,
  Hostname,
  Kernel,
  KernelVersion,
  LinuxGui,
  Locales,
  MacosVersion,
  Os,
  OsVersion,
  Path,
  Selinux,
  TmpDir,
  User,
  Which,
} from "./server/basic.ts";
export type { SelinuxInfo } from "./server/basic.ts";
export {
  Crontab,
  KernelModules,
  LsbRelease,
  Mounts,
  SecurityLimits,
  Sysctl,
} from "./server/system.ts";
export type {
  CrontabEntry,
  KernelModuleInfo,
  MountInfo,
  SecurityLimit,
  SysctlValue,
} from "./server/system.ts";
export { Users } from "./server/users.ts";
export type { UserInfo } from "./server/users.ts";
export { LinuxDistribution, LinuxName } from "./server/distribution.ts";
export type { LinuxDistributionInfo } from "./server/distribution.ts";
