/**
 * Failures are data from the connector to `--json`: each failed operation carries its
 * error class, message, and for a command, the command and its exit status.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { tsinfraIn } from "../_cli.ts";

Deno.test("--json carries each failure's class, message, command and exit status", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-failures-" });
  try {
    await Deno.writeTextFile(path.join(dir, "payload.txt"), "x\n");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files, server } from "tsinfra";
server.shell({ commands: ["echo about to fail >&2; exit 3"], _ignoreErrors: true });
server.shell({ commands: ["sleep 5"], _timeout: 1, _ignoreErrors: true });
files.put({ src: "./payload.txt", dest: "${dir}/no/such/folder/x", createRemoteDir: false, _ignoreErrors: true });
server.shell({ commands: ["true"], _if: () => { throw new RangeError("bad condition"); } });
`,
    );
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "-y", "--json");
    assertEquals(out.code, 1, out.stderr);
    const [failed, timedOut, upload, condition] = JSON.parse(out.stdout).hosts["@local"].operations;
    assertEquals(failed.failure, {
      class: "CommandError",
      message: "Command failed (exit status 3): echo about to fail >&2; exit 3\nabout to fail",
      command: "echo about to fail >&2; exit 3",
      exitCode: 3,
    });
    assertEquals(timedOut.failure.class, "CommandError");
    assertEquals(timedOut.failure.timedOut, true);
    assertEquals(upload.failure.class, "CommandError");
    assertMatch(upload.failure.message, /Could not .*no\/such\/folder\/x/);
    assertEquals(condition.failure.class, "RangeError");
    assertEquals(condition.failure.message, "_if condition failed: bad condition");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
