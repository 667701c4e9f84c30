/**
 * `tsinfra INVENTORY debug-inventory`: each host's groups and resolved data, without
 * connecting.
 *
 * @module
 */
import { EXIT } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import type { Output } from "./output.ts";
import type { CliOptions } from "./program.ts";
import { openSessionFor } from "./session.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));

/** Prints the inventory; returns the exit status. */
export async function debugInventoryVerb(
  inventoryText: string,
  options: CliOptions,
  out: Output,
): Promise<number> {
  const events = new EventBus();
  if (!options.json) events.on(out.handle);
  const session = await openSessionFor(inventoryText, Deno.cwd(), options, events);
  const hosts = Object.fromEntries(
    session.hosts.map((h) => [h.name, { groups: h.groups, data: h.data }]),
  );
  const text = JSON.stringify(
    hosts,
    (
      key,
      value,
    ) => (/password/i.test(key)
      ? "***"
      : typeof value === "function"
      ? `[function ${value.name}]`
      : value),
    2,
  );
  if (options.json) writeStdout(text + "\n");
  else {
    writeStdout(`--> Inventory ${session.spec.source}: ${session.hosts.length} host(s)\n`);
    writeStdout(text + "\n");
  }
  return EXIT.SUCCESS;
}
