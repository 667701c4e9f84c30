/**
 * Round trips per host for the benchmark workload (examples/bench) on @local: the first
 * run sends the fact reads plus one round trip per changing operation, because each
 * operation's commands carry the next operation's fact reads and an upload carries the
 * commands after it; the no-change run sends two.
 */
import * as path from "node:path";
import { assertEquals } from "../_assert.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");

async function bench(root: string, deploy = "deploy.ts") {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      path.join(ROOT, "cli.ts"),
      "@local",
      deploy,
      "-y",
      "--json",
      "--data",
      `benchRoot=${root}`,
    ],
    cwd: path.join(ROOT, "examples/bench"),
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  return report.hosts["@local"].stats;
}

Deno.test("the bench workload: 13 round trips on a clean host (2 fact batches, 1 per change), 1 when nothing changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-round-trips-" });
  try {
    const first = await bench(`${dir}/host`);
    assertEquals([first.changed, first.errors], [11, 0]);
    // The facts (2 batches, as in the no-change run) + 1 per changing operation: each
    // operation's commands carry the next one's facts, an upload carries its chmod.
    assertEquals(first.roundTrips, 13);
    // Every operation is prepared as it is registered and asks for the facts it will
    // read next (files.put: the hash with the file's state): one batch.
    const second = await bench(`${dir}/host`);
    assertEquals([second.changed, second.roundTrips], [0, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a fact awaited in deploy code between operations: the facts of the operations before it ride along (2 round trips when nothing changes)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-round-trips-fact-" });
  try {
    const first = await bench(`${dir}/host`, "deploy_fact.ts");
    assertEquals([first.changed, first.errors], [11, 0]);
    const second = await bench(`${dir}/host`, "deploy_fact.ts");
    assertEquals(second.changed, 0);
    // One batch with the awaited fact and everything registered before it, one after.
    assertEquals(second.roundTrips <= 2, true, `${second.roundTrips} round trips`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an upload and the commands after it share a round trip; a failure is still named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-upload-then-" });
  try {
    await Deno.writeTextFile(path.join(dir, "payload.txt"), "payload\n");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files, server } from "tsinfra";
files.put({ src: "./payload.txt", dest: "${dir}/out/ok.txt", mode: 600 });
files.put({ src: "./payload.txt", dest: "${dir}/missing/folder/x.txt", createRemoteDir: false });
`,
    );
    await Deno.writeTextFile(
      path.join(dir, "chown.ts"),
      `import { files } from "tsinfra";
files.put({ src: "./payload.txt", dest: "${dir}/out/owned.txt", user: "tsinfra-no-such-user" });
`,
    );
    await Deno.mkdir(path.join(dir, "out"));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path.join(ROOT, "cli.ts"), "@local", "deploy.ts", "-y", "--json"],
      cwd: dir,
      stdin: "null",
    }).output();
    const report = JSON.parse(new TextDecoder().decode(output.stdout));
    const [ok, broken] = report.hosts["@local"].operations;
    assertEquals(ok.commands, [
      `upload ${dir}/payload.txt -> ${dir}/out/ok.txt`,
      `chmod 600 ${dir}/out/ok.txt`,
    ]);
    assertEquals((await Deno.stat(path.join(dir, "out/ok.txt"))).mode! & 0o777, 0o600);
    assertEquals(broken.status, "error");
    assertEquals(
      /Could not (upload|move the upload into) .*missing\/folder\/x\.txt/.test(broken.error),
      true,
      broken.error,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
