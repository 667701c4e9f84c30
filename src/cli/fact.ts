/**
 * `tsinfra INVENTORY fact module.Fact [args]`: reads facts from every host and prints
 * them as JSON. A fact of a module outside the built-in catalogue is looked up in
 * `./module.ts` (or `./module/mod.ts`) of the working folder, as pyinfra imports it.
 *
 * @module
 */
import { BUILTIN_CATALOGUE } from "../catalogue.ts";
import { mergeCatalogues } from "../core/catalogue.ts";
import { ArgumentError, EXIT } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { connectHosts } from "../runner/session.ts";
import type { Output } from "./output.ts";
import type { CliOptions } from "./program.ts";
import { findFact, parseFactArguments } from "./adhoc.ts";
import { customModuleFile, loadCustomModule } from "../loader/custom_modules.ts";
import { openSessionFor } from "./session.ts";

const encoder = new TextEncoder();
const writeStdout = (text: string) => Deno.stdout.writeSync(encoder.encode(text));

/** Reads the facts; returns the exit status. */
export async function factVerb(
  inventoryText: string,
  words: string[],
  options: CliOptions,
  out: Output,
): Promise<number> {
  const cwd = Deno.cwd();
  const events = new EventBus();
  if (!options.json) events.on(out.handle);
  if (!words.length) {
    throw new ArgumentError("fact needs a fact name: tsinfra INVENTORY fact server.LinuxName");
  }
  const requests: {
    fact: ReturnType<typeof findFact>;
    args: Record<string, unknown>;
    label: string;
  }[] = [];
  let current: { name: string; words: string[] } | undefined;
  const groups: { name: string; words: string[] }[] = [];
  for (const word of words) {
    if (/^[a-z_0-9]+\.[A-Z][A-Za-z0-9]*$/.test(word)) {
      groups.push(current = { name: word, words: [] });
    } else if (current) current.words.push(word);
    else throw new ArgumentError(`Not a fact name: ${word} (facts look like server.LinuxName)`);
  }
  for (const g of groups) {
    const custom = customModuleFile(g.name, cwd, BUILTIN_CATALOGUE);
    const known = custom
      ? mergeCatalogues(await loadCustomModule(custom), BUILTIN_CATALOGUE)
      : BUILTIN_CATALOGUE;
    const fact = findFact(g.name, known);
    requests.push({
      fact,
      args: parseFactArguments(fact, g.words),
      label: [g.name, ...g.words].join(" "),
    });
  }
  const session = await openSessionFor(inventoryText, cwd, options, events);
  const failed = await connectHosts(session.hosts, events);
  const result: Record<string, Record<string, unknown>> = {};
  let ok = failed.size === 0;
  await Promise.all(
    session.hosts.filter((h) => !failed.has(h.name)).map(async (host) => {
      result[host.name] = {};
      for (const r of requests) {
        try {
          result[host.name][r.label] = await host.getFact(r.fact, r.args);
        } catch (error) {
          ok = false;
          result[host.name][r.label] = {
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }
      await host.disconnect();
    }),
  );
  for (const [name, error] of failed) result[name] = { error: error } as Record<string, unknown>;
  const text = JSON.stringify(
    requests.length === 1
      ? Object.fromEntries(Object.entries(result).map(([h, v]) => [h, v[requests[0].label]]))
      : result,
    null,
    2,
  );
  if (!options.json) out.heading("Fact data:");
  writeStdout(text + "\n");
  return ok ? EXIT.SUCCESS : EXIT.HOST_FAILED;
}
