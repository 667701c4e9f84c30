/**
 * Opening a session from the command line's options (the fact and debug-inventory verbs).
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import { connectorFor } from "../connectors/mod.ts";
import { openSession, type Session } from "../runner/session.ts";
import { argumentDefaults, type CliOptions, connectionData, parseData } from "./program.ts";

/** Opens the session the options describe, in `cwd`. */
export function openSessionFor(
  inventoryText: string,
  cwd: string,
  options: CliOptions,
  events: EventBus,
): Promise<Session> {
  return openSession({
    inventory: inventoryText,
    deployDir: cwd,
    data: { ...parseData(options.data), ...connectionData(options) },
    limit: options.limit,
    argumentDefaults: argumentDefaults(options),
    configFile: options.config,
    groupDataDir: options.groupData,
    connectorFor,
    events,
  });
}
