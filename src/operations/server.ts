/**
 * Server operations: `server.shell`, `server.script`, `server.scriptTemplate`,
 * `server.wait`, `server.user`, `server.group`, `server.userAuthorizedKeys`. Names,
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
export { group, user, userAuthorizedKeys } from "./server/users.ts";
export type { GroupOptions, UserAuthorizedKeysOptions, UserOptions } from "./server/users.ts";
