/**
 * The public API of mod.ts: run() with an inventory given as data, a connector of the
 * user's own, deploy() with data defaults, events, approval and bad options.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertRejects } from "../_assert.ts";
import { type Connector, deploy, type EngineEvent, files, host, run } from "../../mod.ts";
import { LocalConnector } from "../../src/connectors/local.ts";

Deno.test("run(): groups with data, a user connector by prefix, deploy() data defaults", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-api-test-" });
  try {
    const made: string[] = [];
    const note = deploy("Write a note", () => {
      files.directory({ path: path.join(dir, host.name.replace(/\W/g, "_")) });
      files.file({ path: path.join(dir, `${host.name.replace(/\W/g, "_")}.${host.data.suffix}`) });
    }, { dataDefaults: { suffix: "default" } });
    const events: EngineEvent[] = [];
    const { report } = await run({
      inventory: {
        groups: { web: ["@mine/a", ["@mine/b", { suffix: "own" }]] },
        data: { web: { team: "ops" } },
      },
      operations: note,
      connectors: {
        "@mine": (target): Connector => {
          made.push(target);
          return new LocalConnector();
        },
      },
      onEvent: (event) => events.push(event),
    });
    assertEquals(report.success, true);
    assertEquals(report.totals.changed, 4);
    assertEquals(made.sort(), ["a", "b"]);
    await Deno.stat(path.join(dir, "_mine_a.default"));
    await Deno.stat(path.join(dir, "_mine_b.own"));
    assertEquals(events.filter((e) => e.type === "operationResult").length, 4);

    const declined = await run({
      inventory: ["@local"],
      operations: () => files.directory({ path: path.join(dir, "never") }),
      approve: () => false,
    });
    assertEquals(declined.approved, false);
    await assertRejects(() => Deno.stat(path.join(dir, "never")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run() refuses contradictory or missing options before anything runs", async () => {
  await assertRejects(() => run({ inventory: ["@local"] }), /either deploy/);
  await assertRejects(
    () => run({ inventory: ["@local"], operations: () => {}, serial: true, parallel: 2 }),
    /--serial and --parallel/,
  );
  await assertRejects(() => run({ inventory: [], operations: () => {} }), /inventory is empty/);
});
