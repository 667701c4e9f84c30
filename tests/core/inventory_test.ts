import { resolveHostData } from "../../src/core/inventory.ts";
import { assertEquals } from "../_assert.ts";

Deno.test("host data: override over host over group over all", () => {
  const data = resolveHostData(
    { name: "web1", data: { a: "host", b: "host" }, groups: ["web", "eu"] },
    {
      all: { a: "all", b: "all", c: "all", d: "all" },
      groups: { web: { c: "web", d: "web" }, eu: { d: "eu" } },
      override: { b: "override" },
    },
  );
  assertEquals(data, { a: "host", b: "override", c: "web", d: "eu" });
});
