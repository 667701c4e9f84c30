/**
 * tsinfra: pyinfra's model in TypeScript. Write deploys that call operations; tsinfra
 * reads each host's state through facts and runs only the commands needed.
 *
 * @example
 * ```ts ignore
 * import { files, server, host } from "tsinfra";
 *
 * files.directory({ path: "/srv/app", mode: 755 });
 * files.line({ path: "/etc/motd", line: `Welcome to ${host.name}` });
 * server.shell({ commands: ["echo deployed"] });
 * ```
 *
 * @module
 */
export * from "./src/operations/mod.ts";
export * as facts from "./src/facts/mod.ts";
export { host, inventory, local } from "./src/core/api.ts";
export type { CurrentHost, CurrentInventory, IncludeOptions } from "./src/core/api.ts";
export { allChanged, anyChanged, OperationMeta } from "./src/core/meta.ts";
export { defineOperation } from "./src/core/operation.ts";
export type {
  Operation,
  OperationContext,
  OperationHost,
  OperationInput,
  OperationSpec,
} from "./src/core/operation.ts";
export { defineFact } from "./src/core/fact.ts";
export type { Fact, FactSpec } from "./src/core/fact.ts";
export {
  DownloadCommand,
  FunctionCommand,
  mask,
  quote,
  raw,
  sh,
  StringCommand,
  UploadCommand,
} from "./src/core/command.ts";
export type { GlobalArguments, GlobalArgumentsInput } from "./src/core/arguments.ts";
export {
  ArgumentError,
  DeployError,
  EXIT,
  OperationError,
  OperationTypeError,
  OperationValueError,
  TsinfraError,
} from "./src/core/errors.ts";
export { VERSION } from "./src/version.ts";
