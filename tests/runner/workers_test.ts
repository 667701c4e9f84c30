/**
 * The same deploys with and without workers give the same results; facts of a host in
 * another worker are routed through the coordinator.
 */
import { runLocal, withProject } from "./_harness.ts";
import { assertEquals } from "../_assert.ts";
import { defaultWorkers } from "../../src/runner/run.ts";

const INVENTORY =
  'export const hosts = ["a", "b", "c", "d"].map((n) => [n, { connector: "@local" }]);\n';

const DEPLOY = `
import { host, inventory, server } from "tsinfra";
import { Os } from "tsinfra/facts/server";
const otherOs = await inventory.getHost(host.name === "a" ? "d" : "a").getFact(Os);
const first = server.shell({ commands: [\`echo \${host.name} \${otherOs}\`], name: "first" });
if (host.name !== "b") server.shell({ commands: ["true"], name: "not on b" });
server.shell({ commands: ["echo once"], name: "once", _runOnce: true });
server.shell({ commands: ["echo then"], name: "then", _if: first.didChange });
server.shell({ commands: [host.name === "c" ? "exit 3" : "true"], name: "c fails" });
server.shell({ commands: ["true"], name: "after" });
`;

Deno.test("--workers 0 and --workers 2 give the same --json results", async () => {
  await withProject({ "inventory.ts": INVENTORY, "deploy.ts": DEPLOY }, async (dir) => {
    const inline = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      workers: 0,
    });
    const pooled = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      workers: 2,
    });
    const strip = (r: typeof inline.report) =>
      JSON.parse(JSON.stringify(r, (k, v) => (k === "roundTrips" || k === "timings" ? 0 : v)));
    assertEquals(strip(pooled.report), strip(inline.report));
    assertEquals(inline.report.hosts.a.operations[0].stdout, "a Linux\n");
    assertEquals(inline.report.hosts.c.success, false);
    assertEquals(inline.report.hosts.b.operations.map((o) => o.name), [
      "first",
      "once",
      "then",
      "c fails",
      "after",
    ]);
    assertEquals(
      Object.values(pooled.report.hosts).filter((h) =>
        h.operations.some((o) => o.name === "once" && o.status === "changed")
      ).length,
      1,
    );
  });
});

Deno.test("--no-wait gives each host its own pace with the same results", async () => {
  await withProject({ "inventory.ts": INVENTORY, "deploy.ts": DEPLOY }, async (dir) => {
    const waiting = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      workers: 2,
    });
    const free = await runLocal(dir, {
      inventory: "inventory.ts",
      deploy: ["deploy.ts"],
      workers: 2,
      noWait: true,
    });
    const statuses = (r: typeof waiting.report) =>
      Object.fromEntries(
        Object.entries(r.hosts).map(([h, v]) => [
          h,
          v.operations.filter((o) => o.name !== "once").map((o) => o.status),
        ]),
      );
    assertEquals(statuses(free.report), statuses(waiting.report));
  });
});

Deno.test("without --workers, runs under 2,000 hosts stay in the main thread; larger ones get one worker per 1,000 hosts, at most one per core", () => {
  assertEquals([1, 50, 1999].map((n) => defaultWorkers(n, 8)), [0, 0, 0]);
  assertEquals([2000, 3999, 5000, 20000].map((n) => defaultWorkers(n, 8)), [2, 3, 5, 8]);
  assertEquals(defaultWorkers(5000, 2), 2);
  assertEquals(defaultWorkers(5000, 1), 0);
});
