/**
 * tsinfra: pyinfra's model in TypeScript. Write deploys that call operations; tsinfra
 * reads each host's state through facts and runs only the commands needed.
 *
 * A deploy file imports operations from here and facts from `tsinfra/facts/<module>`:
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
 * A program runs deploys with {@linkcode run} (pyinfra's API), and packages reusable
 * ones with {@linkcode deploy} (pyinfra's `@deploy`):
 *
 * @example
 * ```ts ignore
 * import { files, run } from "https://example.com/tsinfra/mod.ts";
 *
 * const { report } = await run({
 *   inventory: ["@local"],
 *   operations: () => files.directory({ path: "/tmp/made-by-a-script" }),
 * });
 * console.log(report.totals);
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
  shellText,
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
export { deploy } from "./src/core/deploy.ts";
export type { DeployOptions } from "./src/core/deploy.ts";
export { run } from "./src/runner/api.ts";
export type { HostEntry, InventoryObject, RunApiOptions, RunResult } from "./src/runner/api.ts";
export type { HostReport, OperationReport, RunReport } from "./src/runner/report.ts";
export type { EngineEvent } from "./src/core/events.ts";
export type {
  CommandOutput,
  Connector,
  ConnectorFactory,
  OutputSink,
  RunOptions as ConnectorRunOptions,
  TransferOptions,
  WriteFileOptions,
} from "./src/core/connector.ts";
