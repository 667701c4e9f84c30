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

Deno.test("facts asked for at once are read in batches each under the kernel's argument limit", async () => {
  const EchoLong = defineFact<string, { text: string }>({
    name: "test.EchoLong",
    argNames: ["text"],
    command: ({ text }) => sh`printf '%s\n' ${text}`,
    process: (lines) => lines.join("\n"),
  });
  const host = new Host({
    name: "local",
    groups: ["all"],
    data: {},
    defaults: {},
    connector: () => new LocalConnector(),
  });
  await host.connect();
  try {
    // 2,000 reads of 200 bytes each: 400 KB of commands, over Linux's 128 KiB per argument.
    const texts = Array.from({ length: 2000 }, (_, i) => `${i}-${"x".repeat(200)}`);
    const values = await Promise.all(texts.map((text) => host.getFact(EchoLong, { text })));
    assertEquals(values, texts);
    // More than one batch, far fewer than one per fact.
    const trips = host.stats.roundTrips;
    assertEquals(trips > 1 && trips < 20, true, `${trips} round trips`);
  } finally {
    await host.disconnect();
  }
});
