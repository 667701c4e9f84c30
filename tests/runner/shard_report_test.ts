// Property tests of `tsinfra merge`: commutative, associative, idempotent, and strict
// about what it merges.
import { fc } from "../_deps.ts";
import { assertEquals, assertThrows } from "../_assert.ts";
import type { ShardManifest } from "../../src/runner/manifest.ts";
import type { HostReport, RunReport } from "../../src/runner/report.ts";
import {
  canonical,
  mergeReports,
  parseShardedReport,
  type ShardedReport,
  shardReportOf,
} from "../../src/runner/shard_report.ts";

function manifestOf(shards: string[][]): ShardManifest {
  return {
    schemaVersion: 1,
    runId: "run1",
    tsinfraVersion: "0.1.0",
    createdAt: "2026-12-01T00:00:00.000Z",
    cwd: ".",
    inventory: "inventory.ts",
    inventoryIsFile: true,
    operations: ["deploy.ts"],
    digests: { deploy: { "deploy.ts": "aa" }, inventory: "bb", lockfile: null },
    options: { data: [], limit: [], sudo: false, serial: false, wait: true },
    shardKey: [],
    hosts: shards.flat(),
    shards: shards.map((hosts, i) => ({ index: i + 1, hosts })),
  };
}

function hostReport(ok: boolean, changed: number, seed: string): HostReport {
  return {
    success: ok,
    error: ok ? null : `failed ${seed}`,
    operations: Array.from({ length: changed }, (_, i) => ({
      name: `files.directory (/x/${seed}/${i})`,
      id: `${seed}${i}`,
      callSite: "deploy.ts:2:7",
      changed: true,
      success: true,
      status: "changed" as const,
      commands: [`mkdir -p /x/${seed}/${i}`],
      stdout: "",
      stderr: "",
      error: null,
    })),
    stats: { operations: changed, changed, noChange: 0, errors: ok ? 0 : 1, roundTrips: 2 },
  };
}

/** One shard's report, as a shard run writes it. */
function shardReport(
  manifest: ShardManifest,
  index: number,
  attempt: number,
  outcome: { ok: boolean; changed: number }[],
): ShardedReport {
  const hosts: Record<string, HostReport> = {};
  manifest.shards[index - 1].hosts.forEach((name, i) => {
    const o = outcome[i % Math.max(outcome.length, 1)] ?? { ok: true, changed: 0 };
    hosts[name] = hostReport(o.ok, o.changed, `${name}-a${attempt}`);
  });
  const base: RunReport = {
    version: 1,
    dry: false,
    success: Object.values(hosts).every((h) => h.success),
    hosts,
    totals: { hosts: 0, operations: 0, changed: 0, noChange: 0, errors: 0 },
    timings: { connectMs: attempt, prepareMs: index, executeMs: 3, disconnectMs: 1 },
  };
  return shardReportOf(manifest, index, attempt, base);
}

/** A run: its manifest and a bag of shard reports (some shards missing, some retried). */
const runArb = fc
  .array(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 4 }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((shards) => {
    // Host names unique across shards.
    return shards.map((s, i) => s.map((h) => `${h}${i}`));
  })
  .chain((shards) => {
    const manifest = manifestOf(shards);
    const reportArb = fc.record({
      index: fc.integer({ min: 1, max: shards.length }),
      attempt: fc.integer({ min: 1, max: 3 }),
      outcome: fc.array(fc.record({ ok: fc.boolean(), changed: fc.integer({ min: 0, max: 2 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    });
    return fc.tuple(
      fc.constant(manifest),
      fc.array(reportArb, { maxLength: 10 }).map((specs) =>
        specs.map((s) => shardReport(manifest, s.index, s.attempt, s.outcome))
      ),
    );
  });

const merge = (manifest: ShardManifest, reports: ShardedReport[]) =>
  mergeReports(manifest, reports.map((report, i) => ({ report, source: `r${i}.json` })));

Deno.test("merge: commutative (any order of reports gives the same report)", () => {
  fc.assert(
    fc.property(
      runArb.chain(([m, reports]) =>
        fc.tuple(
          fc.constant(m),
          fc.constant(reports),
          fc.shuffledSubarray(reports, { minLength: reports.length }),
        )
      ),
      ([manifest, reports, shuffled]) => {
        assertEquals(
          canonical(merge(manifest, shuffled).report),
          canonical(merge(manifest, reports).report),
        );
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("merge: associative (merging in a tree gives the same report)", () => {
  fc.assert(
    fc.property(runArb, fc.nat(), fc.nat(), ([manifest, reports], cutA, cutB) => {
      const [a, b] = [cutA % (reports.length + 1), cutB % (reports.length + 1)].sort((x, y) =>
        x - y
      );
      const left = merge(manifest, reports.slice(0, a)).report;
      const middle = merge(manifest, reports.slice(a, b)).report;
      const right = merge(manifest, reports.slice(b)).report;
      const flat = merge(manifest, reports).report;
      const tree1 = merge(manifest, [merge(manifest, [left, middle]).report, right]).report;
      const tree2 = merge(manifest, [left, merge(manifest, [middle, right]).report]).report;
      assertEquals(canonical(tree1), canonical(flat));
      assertEquals(canonical(tree2), canonical(flat));
    }),
    { numRuns: 300 },
  );
});

Deno.test("merge: idempotent, and a merged report re-reads as a valid report", () => {
  fc.assert(
    fc.property(runArb, ([manifest, reports]) => {
      const once = merge(manifest, reports).report;
      assertEquals(canonical(merge(manifest, [once]).report), canonical(once));
      assertEquals(canonical(merge(manifest, [once, once, ...reports]).report), canonical(once));
      parseShardedReport(JSON.parse(JSON.stringify(once)), "merged.json");
    }),
    { numRuns: 300 },
  );
});

Deno.test("merge: the highest attempt of each shard wins; missing shards are named and not-run", () => {
  fc.assert(
    fc.property(runArb, ([manifest, reports]) => {
      const { report, missing } = merge(manifest, reports);
      for (const shard of manifest.shards) {
        const attempts = reports.filter((r) => r.shard!.index === shard.index).map((r) =>
          r.attempt!
        );
        if (!attempts.length) {
          assertEquals(missing.includes(shard.index), true);
          for (const name of shard.hosts) assertEquals(report.hosts[name].status, "not-run");
          continue;
        }
        const highest = Math.max(...attempts);
        assertEquals(report.shards[String(shard.index)].attempt, highest);
        for (const name of shard.hosts) {
          const seed = report.hosts[name].operations[0]?.id ?? report.hosts[name].error ?? "";
          if (report.hosts[name].operations.length || report.hosts[name].error) {
            assertEquals(seed.includes(`-a${highest}`), true, `${name}: ${seed}`);
          }
        }
      }
      assertEquals(Object.keys(report.hosts), manifest.hosts);
      assertEquals(report.totals.hosts, manifest.hosts.length);
      assertEquals(
        report.success,
        missing.length === 0 && Object.values(report.hosts).every((h) => h.success),
      );
    }),
    { numRuns: 300 },
  );
});

Deno.test("merge: refuses reports of another run, other digests, or hosts outside their shard", () => {
  const manifest = manifestOf([["a", "b"], ["c"]]);
  const good = shardReport(manifest, 1, 1, [{ ok: true, changed: 1 }]);
  const otherRun = { ...good, run: { ...good.run, id: "run2" } };
  assertThrows(() => merge(manifest, [otherRun]), /r0\.json: belongs to run run2/);
  const otherDigests = {
    ...good,
    run: { ...good.run, digests: { ...good.run.digests, inventory: "zz" } },
  };
  assertThrows(() => merge(manifest, [otherDigests]), /digests differ/);
  const { b: _b, ...lacking } = good.hosts;
  assertThrows(() => merge(manifest, [{ ...good, hosts: lacking }]), /lacks host b/);
  const extra = { ...good, hosts: { ...good.hosts, c: good.hosts.a } };
  assertThrows(() => merge(manifest, [extra]), /holds host c, which is in none of its shards/);
  assertThrows(
    () => parseShardedReport({ ...good, version: 2 }, "x.json"),
    /x\.json: not a tsinfra shard report: version/,
  );
  const dry = { ...good, dry: true, shards: { "2": { attempt: 1 } }, hosts: { c: good.hosts.a } };
  assertThrows(() => merge(manifest, [good, dry]), /mix dry runs and real runs/);
});

Deno.test("merge: an empty shard's report succeeds and covers its shard", () => {
  const manifest = manifestOf([["a"], []]);
  const first = shardReport(manifest, 1, 1, [{ ok: true, changed: 1 }]);
  const empty = shardReport(manifest, 2, 1, []);
  const { report, missing } = merge(manifest, [first, empty]);
  assertEquals(missing, []);
  assertEquals(report.success, true);
  assertEquals(Object.keys(report.shards), ["1", "2"]);
});
