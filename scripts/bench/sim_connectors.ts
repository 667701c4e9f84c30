/**
 * The bench's connector module: `tsinfra --connectors scripts/bench/sim_connectors.ts
 * INVENTORY ...` makes hosts named `@sim/NAME` simulated ones (see
 * `simulated_connector.ts`), in the coordinator and in every worker.
 *
 * @module
 */
import type { ConnectorFactory } from "../../src/core/connector.ts";
import { SimulatedConnector } from "./simulated_connector.ts";

/** `@sim/NAME`: a simulated host; host data `simLatencyMs` sets its round trip. */
export default {
  "@sim": (_target, data) => new SimulatedConnector(data),
} satisfies Record<string, ConnectorFactory>;
