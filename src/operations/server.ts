/**
 * Server operations: `server.shell`, `server.script`, `server.scriptTemplate`,
 * `server.wait`, `server.reboot`, `server.user`, `server.group`,
 * `server.userAuthorizedKeys`, `server.crontab`, `server.modprobe`, `server.mount`,
 * `server.hostname`, `server.sysctl`, `server.securityLimit`, `server.locale`. Names,
 * arguments and commands follow pyinfra's `pyinfra.operations.server`.
 *
 * @module
 */
export { script, scriptTemplate, shell, wait } from "./server/commands.ts";
export type {
  ScriptOptions,
  ScriptTemplateOptions,
  ShellOptions,
  WaitOptions,
} from "./server/commands.ts";
export { reboot } from "./server/reboot.ts";
export type { RebootOptions } from "./server/reboot.ts";
export { group, user, userAuthorizedKeys } from "./server/users.ts";
export type { GroupOptions, UserAuthorizedKeysOptions, UserOptions } from "./server/users.ts";
export { crontab } from "./server/crontab.ts";
export type { CronField, CrontabOptions } from "./server/crontab.ts";
export { hostname, locale, modprobe, mount, securityLimit, sysctl } from "./server/system.ts";
export type {
  HostnameOptions,
  LocaleOptions,
  ModprobeOptions,
  MountOptions,
  SecurityLimitOptions,
  SysctlOptions,
  SysctlSetting,
} from "./server/system.ts";
export { service } from "./server/service.ts";
export type { ServiceOptions } from "./server/service.ts";
export { packages } from "./server/packages.ts";
export type { PackagesOptions } from "./server/packages.ts";
