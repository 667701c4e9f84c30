import { mergeOrders, type OrderItem } from "../../src/core/ordering.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const item = (id: string, line: number): OrderItem => ({
  id,
  sortKey: [0, line, 1],
  where: `deploy.ts:${line}:1`,
});

Deno.test("mergeOrders keeps each host's order and breaks ties by call site", () => {
  const a = item("a", 1), b = item("b", 2), c = item("c", 3), d = item("d", 4);
  // Host 1 skips b (a conditional), host 2 skips c.
  const order = mergeOrders([[a, c, d], [a, b, d]]);
  assertEquals(order.map((i) => i.id), ["a", "b", "c", "d"]);
});

Deno.test("mergeOrders puts loop iterations in order", () => {
  const loop = [0, 1, 2].map((n) => ({
    id: `l${n}`,
    sortKey: [0, 5, 1, n],
    where: "deploy.ts:5:1",
  }));
  assertEquals(mergeOrders([loop, loop.slice(0, 2)]).map((i) => i.id), ["l0", "l1", "l2"]);
});

Deno.test("mergeOrders names both call sites when hosts disagree", () => {
  const a = item("a", 10), b = item("b", 20);
  assertThrows(
    () => mergeOrders([[a, b], [b, a]]),
    /deploy\.ts:10:1 and deploy\.ts:20:1|deploy\.ts:20:1 and deploy\.ts:10:1/,
  );
});
