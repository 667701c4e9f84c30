/**
 * Option types checked at call time, from the types the source declares (generated
 * into src/operations/option_types.ts by `deno task docs`): a wrong type is one clear
 * error naming the operation, the call site and the option, before anything runs.
 */
import "../../src/operations/mod.ts";
import { apt, files, selinux, server } from "../../src/operations/mod.ts";
import { assertEquals, assertThrows } from "../_assert.ts";

Deno.test("a wrong option type names the operation, the place and the option", () => {
  assertThrows(
    () => apt.packages.splitArguments({ packages: ["nginx"], update: "yes" }, "deploy.ts:3:1"),
    /^apt\.packages in deploy\.ts:3:1: update must be boolean, got "yes"$/,
  );
  assertThrows(
    () => files.directory.splitArguments({ path: ["/a", "/b"] }, "deploy.ts:4:1"),
    /files\.directory in deploy\.ts:4:1: path must be string, got an array/,
  );
  assertThrows(
    () => selinux.boolean.splitArguments({ boolName: "x", value: "maybe" }, "d.ts:1:1"),
    /value must be "on" \| "off", got "maybe"/,
  );
  assertThrows(
    () => server.user.splitArguments({ user: "app", groups: ["a", 1] }, "d.ts:2:1"),
    /groups must be string\[\] \| null, got an array/,
  );
});

Deno.test("values of the declared types, and of types that are not checked, pass", () => {
  const { args } = apt.packages.splitArguments({
    packages: "nginx",
    update: true,
    cacheTime: 3600,
    extraInstallArgs: null,
  }, "deploy.ts:1:1");
  assertEquals(args.cacheTime, 3600);
  // `mode` is a named type (Mode): not checked here, the operation checks it.
  files.directory.splitArguments({ path: "/srv", mode: "u+rwx" }, "deploy.ts:1:1");
});
