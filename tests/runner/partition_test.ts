// Property tests of the partitioner behind `tsinfra plan`.
import { fc } from "../_deps.ts";
import { assertEquals, assertThrows } from "../_assert.ts";
import { type PartitionHost, partitionHosts } from "../../src/runner/partition.ts";
import { ArgumentError } from "../../src/core/errors.ts";

const GROUPS = ["web", "db", "cache", "eu", "us"];

/** Hosts with unique names, each in some of a few groups. */
const hostsArb = fc.uniqueArray(
  fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9.-]{0,11}$/),
    groups: fc.subarray(GROUPS),
  }),
  { selector: (h) => h.name, maxLength: 80 },
);

const flat = (shards: string[][]) => shards.flat();
const sizes = (shards: string[][]) => shards.map((s) => s.length);

Deno.test("partition: covers every host once, whatever the count", () => {
  fc.assert(
    fc.property(hostsArb, fc.integer({ min: 1, max: 20 }), (hosts, n) => {
      const shards = partitionHosts(hosts, { shards: n });
      assertEquals(shards.length, n);
      assertEquals([...flat(shards)].sort(), hosts.map((h) => h.name).sort());
      assertEquals(new Set(flat(shards)).size, hosts.length);
    }),
    { numRuns: 300 },
  );
});

Deno.test("partition: deterministic, the input order does not matter", () => {
  fc.assert(
    fc.property(
      hostsArb.chain((hosts) =>
        fc.tuple(fc.constant(hosts), fc.shuffledSubarray(hosts, { minLength: hosts.length }))
      ),
      fc.integer({ min: 1, max: 12 }),
      fc.subarray(GROUPS, { maxLength: 2 }),
      ([hosts, shuffled], n, key) => {
        const usable = key.filter((g) => hosts.some((h) => h.groups.includes(g)));
        assertEquals(
          partitionHosts(shuffled, { shards: n, shardKey: usable }),
          partitionHosts(hosts, { shards: n, shardKey: usable }),
        );
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("partition: balanced within one host without a key; --shard-size bounds every shard", () => {
  fc.assert(
    fc.property(hostsArb, fc.integer({ min: 1, max: 20 }), (hosts, k) => {
      const byCount = sizes(partitionHosts(hosts, { shards: k }));
      assertEquals(Math.max(...byCount) - Math.min(...byCount) <= 1, true);
      const bySize = partitionHosts(hosts, { shardSize: k });
      assertEquals(bySize.length, Math.max(1, Math.ceil(hosts.length / k)));
      assertEquals(sizes(bySize).every((s) => s <= k), true);
      // Each shard is sorted, and the shards follow one another in name order.
      assertEquals(flat(bySize), hosts.map((h) => h.name).sort((a, b) => a < b ? -1 : 1));
    }),
    { numRuns: 300 },
  );
});

Deno.test("partition: a shard key keeps each keyed group in one shard, and stays balanced", () => {
  fc.assert(
    fc.property(
      hostsArb,
      fc.integer({ min: 1, max: 10 }),
      fc.subarray(GROUPS, { minLength: 1, maxLength: 3 }),
      (hosts, n, wanted) => {
        const key = wanted.filter((g) => hosts.some((h) => h.groups.includes(g)));
        fc.pre(key.length > 0);
        const shards = partitionHosts(hosts, { shards: n, shardKey: key });
        assertEquals([...flat(shards)].sort(), hosts.map((h) => h.name).sort());
        const shardOf = new Map<string, number>();
        shards.forEach((s, i) => s.forEach((name) => shardOf.set(name, i)));
        for (const group of key) {
          const homes = new Set(
            hosts.filter((h) => h.groups.includes(group)).map((h) => shardOf.get(h.name)),
          );
          assertEquals(homes.size, 1, `group ${group} split over shards ${[...homes]}`);
        }
        // Greedy to the lightest shard: the spread is at most the largest unit kept whole.
        const largestUnit = largestUnitSize(hosts, key);
        const s = sizes(shards);
        assertEquals(Math.max(...s) - Math.min(...s) <= largestUnit, true);
      },
    ),
    { numRuns: 300 },
  );
});

/** Size of the largest set of hosts tied together by keyed groups (brute force). */
function largestUnitSize(hosts: PartitionHost[], key: string[]): number {
  const seen = new Set<string>();
  let largest = 1;
  for (const start of hosts) {
    if (seen.has(start.name)) continue;
    const unit = new Set([start.name]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const h of hosts) {
        if (unit.has(h.name)) continue;
        const tied = hosts.some((o) =>
          unit.has(o.name) && key.some((g) => o.groups.includes(g) && h.groups.includes(g))
        );
        if (tied) {
          unit.add(h.name);
          grew = true;
        }
      }
    }
    for (const name of unit) seen.add(name);
    largest = Math.max(largest, unit.size);
  }
  return largest;
}

Deno.test("partition: more shards than hosts gives empty shards; bad counts and keys are refused", () => {
  const hosts = [{ name: "a", groups: ["web"] }];
  assertEquals(partitionHosts(hosts, { shards: 3 }), [["a"], [], []]);
  assertEquals(partitionHosts([], { shards: 2 }), [[], []]);
  for (
    const [options, pattern] of [
      [{ shards: 0 }, /--shards/],
      [{}, /one of --shards N or --shard-size K/],
      [{ shards: 2, shardSize: 1 }, /one of --shards/],
      [{ shards: 2, shardKey: ["db"] }, /no host of the run is in group db/],
    ] as const
  ) {
    const error = assertThrows(() => partitionHosts(hosts, options), pattern);
    assertEquals(error instanceof ArgumentError, true);
  }
});
