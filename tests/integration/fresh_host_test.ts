/**
 * The most common first deploy: a fresh Debian host with no sudo. The deploy installs
 * sudo, nginx and git as root, then works through sudo as the app user. The operations
 * whose facts need sudo are decided at run time (--dry says so); the first run
 * succeeds, nginx serves the page, and the second run changes nothing.
 *
 * @module
 */
import * as path from "node:path";
import { assertEquals, assertMatch } from "../_assert.ts";
import { ROOT, run, tsinfraIn } from "../_cli.ts";
import { dockerTest } from "../../scripts/fleet/fleet.ts";

const IMAGE = "tsinfra-fleet:bookworm";
const EXAMPLE = path.join(ROOT, "examples/fresh_host");

interface OperationReport {
  name: string;
  status: string;
  changed: boolean;
  error: string | null;
  deferred?: string;
}

function operations(stdout: string): OperationReport[] {
  const report = JSON.parse(stdout);
  return Object.values(report.hosts as Record<string, { operations: OperationReport[] }>)[0]
    .operations;
}

await dockerTest(
  "a fresh host without sudo: bootstrap, then work through sudo, idempotently",
  async () => {
    const id = (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim();
    const exec = (...argv: string[]) => run("docker", ["exec", id, ...argv]);
    try {
      const purge = await exec("sh", "-c", "SUDO_FORCE_REMOVE=yes dpkg --purge sudo");
      assertEquals(purge.code, 0, purge.stderr);
      assertEquals((await exec("sh", "-c", "command -v sudo")).stdout, "");
      const target = `@docker/${id}`;

      const dry = await tsinfraIn(EXAMPLE, target, "deploy.ts", "--dry", "--json");
      assertEquals(dry.code, 0, dry.stdout + dry.stderr);
      const deferred = operations(dry.stdout).filter((o) => o.deferred).map((o) => o.name);
      assertEquals(deferred.includes("Clone application"), true, deferred.join(", "));
      const human = await tsinfraIn(EXAMPLE, target, "deploy.ts", "--dry");
      assertMatch(human.stdout, /Clone application .*: decided at run time/);

      const first = await tsinfraIn(EXAMPLE, target, "deploy.ts", "-y", "--json");
      assertEquals(first.code, 0, first.stdout + first.stderr);
      const failed = operations(first.stdout).filter((o) => o.error);
      assertEquals(failed, []);
      assertEquals(
        operations(first.stdout).find((o) => o.name === "Clone application")?.changed,
        true,
      );
      const owner = await exec("stat", "-c", "%U", "/opt/myapp/code/app.py");
      assertEquals(owner.stdout, "myapp\n");
      const served = await exec(
        "bash",
        "-c",
        "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3",
      );
      assertMatch(served.stdout, /Deployed by tsinfra/, served.stderr);

      const second = await tsinfraIn(EXAMPLE, target, "deploy.ts", "-y", "--json");
      assertEquals(second.code, 0, second.stdout + second.stderr);
      assertEquals(operations(second.stdout).filter((o) => o.changed).map((o) => o.name), []);
    } finally {
      await run("docker", ["rm", "-f", id]);
    }
  },
);

Deno.test("a fact that cannot be read with no earlier changing operation still fails at prepare", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-unreadable-" });
  try {
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files } from "tsinfra";\nfiles.directory({ path: "${dir}/out", _shellExecutable: "${dir}/no-such-shell" });\n`,
    );
    const out = await tsinfraIn(dir, "@local", "deploy.ts", "--dry");
    assertEquals(out.code, 1, out.stdout + out.stderr);
    assertMatch(out.stdout, /Could not load fact files\.Directory .*no-such-shell: not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
