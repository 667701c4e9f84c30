/**
 * The global order of operations: a topological merge of every host's sequence,
 * ties broken by call site, as pyinfra orders a deploy by its source.
 *
 * @module
 */
import { DeployError } from "./errors.ts";

/** One operation as the ordering sees it. */
export interface OrderItem {
  id: string;
  /** Sort key for ties: the call-site frames mapped to comparable numbers. */
  sortKey: readonly number[];
  /** Shown in cycle errors (`deploy.ts:12:1`). */
  where: string;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Merges per-host sequences into one order in which every host's own order holds.
 * Throws a {@linkcode DeployError} naming both call sites when two hosts disagree.
 *
 * @example
 * ```ts
 * import { mergeOrders } from "./ordering.ts";
 * const a = { id: "a", sortKey: [1], where: "d.ts:1" };
 * const b = { id: "b", sortKey: [2], where: "d.ts:2" };
 * mergeOrders([[a, b], [b]]).map((i) => i.id); // ["a", "b"]
 * ```
 */
export function mergeOrders(sequences: readonly (readonly OrderItem[])[]): OrderItem[] {
  const items = new Map<string, OrderItem>();
  const next = new Map<string, Set<string>>();
  const indegree = new Map<string, number>();
  for (const sequence of sequences) {
    for (let i = 0; i < sequence.length; i++) {
      const item = sequence[i];
      if (!items.has(item.id)) {
        items.set(item.id, item);
        next.set(item.id, new Set());
        indegree.set(item.id, 0);
      }
      if (i > 0) {
        const before = sequence[i - 1].id;
        const edges = next.get(before)!;
        if (!edges.has(item.id) && before !== item.id) {
          edges.add(item.id);
          indegree.set(item.id, indegree.get(item.id)! + 1);
        }
      }
    }
  }
  const ready = [...items.values()].filter((i) => indegree.get(i.id) === 0);
  const order: OrderItem[] = [];
  while (ready.length) {
    ready.sort((a, b) => compareKeys(a.sortKey, b.sortKey) || (a.id < b.id ? -1 : 1));
    const item = ready.shift()!;
    order.push(item);
    for (const id of next.get(item.id)!) {
      const d = indegree.get(id)! - 1;
      indegree.set(id, d);
      if (d === 0) ready.push(items.get(id)!);
    }
  }
  if (order.length < items.size) {
    const stuck = [...items.values()].filter((i) => indegree.get(i.id)! > 0);
    const [a, b] = findCycle(stuck, next);
    throw new DeployError(
      `Cannot order operations: hosts run them in opposite orders: ${a.where} and ${b.where}` +
        " (make every host call them in the same order, or split the deploy)",
    );
  }
  return order;
}

function findCycle(stuck: OrderItem[], next: Map<string, Set<string>>): [OrderItem, OrderItem] {
  const ids = new Set(stuck.map((i) => i.id));
  const byId = new Map(stuck.map((i) => [i.id, i]));
  for (const item of stuck) {
    for (const target of next.get(item.id)!) {
      if (ids.has(target) && reaches(target, item.id, next, ids)) {
        return [item, byId.get(target)!];
      }
    }
  }
  return [stuck[0], stuck[stuck.length - 1]];
}

function reaches(from: string, to: string, next: Map<string, Set<string>>, ids: Set<string>) {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of next.get(id) ?? []) if (ids.has(n)) stack.push(n);
  }
  return false;
}
