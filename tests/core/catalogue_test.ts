/**
 * The catalogue is built explicitly from modules' exports: defining an operation or a
 * fact changes no global state, and the built-in catalogue holds exactly tsinfra's own.
 */
import { catalogueOf, mergeCatalogues } from "../../src/core/catalogue.ts";
import { defineOperation } from "../../src/core/operation.ts";
import { defineFact } from "../../src/core/fact.ts";
import { BUILTIN_CATALOGUE } from "../../src/catalogue.ts";
import * as BUILTIN_OPERATIONS from "../../src/operations/mod.ts";
import { files } from "../../src/operations/mod.ts";
import { LIBRARY_MODULES } from "../../src/loader/library_imports.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

const touch = defineOperation<{ path: string }>("demo.touch", {
  argNames: ["path"],
  async *generator() {},
});
const Uptime = defineFact({ name: "demo.Uptime", command: "uptime", process: (l) => l[0] });

Deno.test("catalogueOf finds the operations and facts modules export, namespaces included", () => {
  const catalogue = catalogueOf({ touch, Uptime, other: 3, nested: { touch } });
  assertEquals([...catalogue.operations.keys()], ["demo.touch"]);
  assertEquals(catalogue.facts.get("demo.Uptime"), Uptime);
  // Only module namespaces are searched below the top level, not any object.
  assertEquals(catalogueOf({ nested: { touch } }).operations.size, 0);
  const namespace = catalogueOf({ operations: BUILTIN_OPERATIONS });
  assertEquals(namespace.operations.get("files.line") === files.line, true);
});

Deno.test("defining an operation or a fact leaves the built-in catalogue as it was", () => {
  assertEquals(BUILTIN_CATALOGUE.operations.has("demo.touch"), false);
  assertEquals(BUILTIN_CATALOGUE.facts.has("demo.Uptime"), false);
  defineOperation("demo.later", { argNames: [], async *generator() {} });
  assertEquals(BUILTIN_CATALOGUE.operations.has("demo.later"), false);
  assertEquals(BUILTIN_CATALOGUE.operations.get("files.line") === files.line, true);
});

Deno.test("two definitions with one name cannot make a catalogue; merging takes the first", () => {
  const again = defineOperation<{ path: string }>("demo.touch", {
    argNames: ["path"],
    async *generator() {},
  });
  assertThrows(() => catalogueOf({ touch, again }), /two definitions are named demo\.touch/);
  const merged = mergeCatalogues(catalogueOf({ again }), catalogueOf({ touch }));
  assertEquals(merged.operations.get("demo.touch") === again, true);
});

Deno.test("the loader's list of library modules is the built-in catalogue's", () => {
  const modules = (names: Iterable<string>) =>
    [...new Set([...names].map((n) => n.split(".")[0]))].sort();
  assertEquals(modules(BUILTIN_CATALOGUE.operations.keys()), [...LIBRARY_MODULES.operations]);
  assertEquals(modules(BUILTIN_CATALOGUE.facts.keys()), [...LIBRARY_MODULES.facts]);
});
