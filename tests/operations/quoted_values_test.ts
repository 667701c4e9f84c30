/**
 * Values that reached the shell unquoted (apt.ppa's source, snap's channel and names,
 * sysvinit's service name) and the `sh` tag's own rules, run through a real `sh -c`:
 * each program is replaced by a printer of its arguments, a canary command is in every
 * value, and the arguments must come back exactly as given with no canary made.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertThrows } from "../_assert.ts";
import { generateWith, sh as runSh } from "./_context.ts";
import { ppa } from "../../src/operations/apt.ts";
import { package_ as snapPackages } from "../../src/operations/snap.ts";
import { service as sysvinitService } from "../../src/operations/sysvinit.ts";
import { raw, sh } from "../../src/core/command.ts";
import { FindLinks } from "../../src/facts/files.ts";

/** Runs `command` with its program replaced by a printer of each argument, a line each. */
async function argumentsOf(command: string, dir: string): Promise<string[]> {
  const printer = path.join(dir, "print-arguments");
  await Deno.writeTextFile(printer, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done\n`);
  await Deno.chmod(printer, 0o755);
  const out = await runSh(printer + command.slice(command.indexOf(" ")), dir);
  assertEquals(out.code, 0, out.stderr);
  return out.stdout.split("\n").slice(0, -1);
}

Deno.test("apt.ppa, snap.packages and sysvinit pass hostile values as literal arguments", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-quoted-" });
  const canary = path.join(dir, "CANARY");
  const hostile = `x$(touch ${canary})\`touch ${canary}\`;touch ${canary} "q" \\`;
  try {
    const added = await generateWith(ppa, { src: `ppa:${hostile}` });
    assertEquals(await argumentsOf(String(added.commands[0]), dir), ["-y", `ppa:${hostile}`]);
    const removed = await generateWith(ppa, { src: `ppa:${hostile}`, present: false });
    assertEquals(await argumentsOf(String(removed.commands[0]), dir), [
      "-y",
      "--remove",
      `ppa:${hostile}`,
    ]);

    const snap = await generateWith(snapPackages, {
      packages: [hostile],
      channel: hostile,
      classic: true,
    }, { facts: (name) => (name === "snap.SnapPackages" ? [] : null) });
    assertEquals(await argumentsOf(String(snap.commands[0]), dir), [
      "install",
      "--classic",
      hostile,
      `--channel=${hostile}`,
    ]);

    const name = `svc;touch ${canary}`;
    const asked: string[] = [];
    const enabled = await generateWith(sysvinitService, {
      service: name,
      running: null,
      enabled: true,
    }, {
      facts: (
        fact,
        factArgs,
      ) => (asked.push(`${fact} ${JSON.stringify(factArgs)}`),
        fact === "sysvinit.InitdStatus"
          ? {}
          : fact === "server.LinuxDistribution"
          ? { name: "Debian", major: 12, minor: 0, release_meta: {} }
          : fact === "files.FindLinks"
          ? []
          : null),
    });
    const updateRc = enabled.commands.map(String).find((c) => c.startsWith("update-rc.d"));
    assertEquals(await argumentsOf(updateRc!, dir), [name, "defaults"]);
    // The links are looked for with the name quoted inside the glob.
    const look = asked.find((a) => a.startsWith("files.FindLinks"))!;
    const findArgs = JSON.parse(look.slice(look.indexOf(" ") + 1));
    const command = FindLinks.command(findArgs);
    await runSh(typeof command === "string" ? command : command.raw(), dir);
    assertEquals(await Deno.stat(canary).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sh quotes a list as separate words and refuses undefined, null, objects and Promises", () => {
  assertEquals(sh`rm -f ${["a b", "c"]} ${raw("$HOME")}`.raw(), "rm -f 'a b' c $HOME");
  for (const value of [undefined, null, { a: 1 }, Promise.resolve("x")]) {
    assertThrows(() => sh`echo ${value as unknown as string}`, /sh: the value at \$\{0\} is/);
  }
});
