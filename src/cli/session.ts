/**
 * Opening a session from the command line's options (the fact and debug-inventory verbs).
 *
 * @module
 */
import type { EventBus } from "../core/events.ts";
import { withConnectors } from "../connectors/mod.ts";
import { loadConnectorModule } from "../loader/connector_module.ts";
import { openSession, type Session } from "../runner/session.ts";
import { argumentDefaults, type CliOptions, connectionData, parseData } from "./program.ts";

/** Opens the session the options describe (`--connectors` included), in `cwd`. */
export async function openSessionFor(
  inventoryText: string,
  cwd: string,
  options: CliOptions,
  events: EventBus,
): Promise<Session> {
  const connectors = options.connectors ? await loadConnectorModule(options.connectors) : {};
  return await openSession({
    inventory: inventoryText,
    deployDir: cwd,
    data: { ...parseData(options.data), ...connectionData(options) },
    limit: options.limit,
    argumentDefaults: argumentDefaults(options),
    configFile: options.config,
    groupDataDir: options.groupData,
    connectorFor: withConnectors(connectors),
    events,
  });
}
