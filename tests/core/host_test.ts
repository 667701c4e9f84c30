/** Host connection handling: reconnecting after the host went away (server.reboot). */
import { Host } from "../../src/core/host.ts";
import { defineFact } from "../../src/core/fact.ts";
import { sh } from "../../src/core/command.ts";
import { LocalConnector } from "../../src/connectors/local.ts";
import { assertEquals } from "../_assert.ts";

const Echo = defineFact<string, { text: string }>({
  name: "test.HostEcho",
  argNames: ["text"],
  command: ({ text }) => sh`printf '%s' ${text}`,
  process: (lines) => lines.join("\n"),
});

Deno.test("reconnect drops the connection and opens a new one; cached facts are forgotten", async () => {
  let opened = 0;
  const host = new Host({
    name: "local",
    groups: ["all"],
    data: {},
    defaults: {},
    connector: () => {
      opened++;
      return new LocalConnector();
    },
  });
  assertEquals(await host.getFact(Echo, { text: "a" }), "a");
  assertEquals(opened, 1);
  const trips = host.stats.roundTrips;
  await host.reconnect();
  assertEquals(opened, 2);
  assertEquals(host.connected, true);
  assertEquals(await host.getFact(Echo, { text: "a" }), "a");
  assertEquals(host.stats.roundTrips, trips + 1);
  await host.disconnect();
});
