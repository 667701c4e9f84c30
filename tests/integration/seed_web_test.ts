/**
 * The seed deploy (examples/seed_web: apt, a system user, git clone as that user, a venv,
 * an nginx site from a template, linked, nginx restarted on change) on fresh Debian
 * targets through @docker, @chroot and @ssh: `--dry` lists what the first run then does,
 * the second run changes nothing and does not restart nginx, and nginx serves the site.
 * apt reaches Debian's mirror from the targets; this takes minutes.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const ROOT = path.resolve(import.meta.dirname!, "../..");
const EXAMPLE = path.join(ROOT, "examples/seed_web");
const IMAGE = "tsinfra-fleet:bookworm";

const tsinfra = (...args: string[]) => tsinfraIn(EXAMPLE, ...args);

interface OperationReport {
  name: string;
  status: string;
  changed: boolean;
  error: string | null;
}

function operations(stdout: string): OperationReport[] {
  const report = JSON.parse(stdout);
  return Object.values(report.hosts as Record<string, { operations: OperationReport[] }>)[0]
    .operations;
}

/** Dry run, first run, second run against one inventory; returns the second run's report. */
async function threeRuns(inventory: string, extra: string[] = []) {
  const dry = await tsinfra(inventory, "deploy.ts", "--dry", "--json", ...extra);
  assertEquals(dry.code, 0, dry.stderr + dry.stdout);
  const planned = operations(dry.stdout).filter((o) => o.status === "willChange").map((o) =>
    o.name
  );
  const first = await tsinfra(inventory, "deploy.ts", "-y", "--json", ...extra);
  assertEquals(first.code, 0, first.stderr + first.stdout);
  const firstOps = operations(first.stdout);
  const failed = firstOps.filter((o) => o.error);
  assertEquals(failed, [], JSON.stringify(failed));
  // --dry on a fresh target lists exactly the operations the first run changes.
  assertEquals(planned, firstOps.filter((o) => o.changed).map((o) => o.name));
  assertEquals(firstOps.find((o) => o.name === "Restart nginx")?.changed, true);
  const second = await tsinfra(inventory, "deploy.ts", "-y", "--json", ...extra);
  assertEquals(second.code, 0, second.stderr);
  const secondOps = operations(second.stdout);
  assertEquals(secondOps.filter((o) => o.changed).map((o) => o.name), []);
  assertEquals(secondOps.find((o) => o.name === "Restart nginx")?.status, "skipped");
  return { first, second };
}

await dockerTest(
  "the seed deploy runs idempotently through @docker, @chroot and @ssh",
  async (t) => {
    const image = await run("docker", ["image", "inspect", IMAGE]);
    if (image.code !== 0) {
      const built = await run("bash", [path.join(ROOT, "scripts/fleet.sh"), "image"]);
      assertEquals(built.code, 0, built.stderr);
    }

    await t.step("@docker/IMAGE, then the committed image", async () => {
      const first = await tsinfra(`@docker/${IMAGE}`, "deploy.ts", "-y", "--json");
      assertEquals(first.code, 0, first.stderr + first.stdout);
      const note =
        Object.values(JSON.parse(first.stdout).hosts as Record<string, { note?: string }>)[0]
          .note;
      const committed = /to image (sha256:[0-9a-f]+)/.exec(note ?? "")?.[1];
      assertMatch(committed ?? "", /^sha256:/, first.stderr);
      const images = [committed!];
      try {
        const second = await tsinfra(`@docker/${committed}`, "deploy.ts", "-y", "--json");
        assertEquals(second.code, 0, second.stderr);
        assertEquals(JSON.parse(second.stdout).totals.changed, 0);
        const again = /to image (sha256:[0-9a-f]+)/.exec(second.stdout)?.[1];
        if (again) images.push(again);
        // The image has the site and the app: nginx serves it once started.
        const served = await run("docker", [
          "run",
          "--rm",
          "--entrypoint",
          "bash",
          committed!,
          "-c",
          "nginx && sleep 1 && exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3",
        ]);
        assertMatch(served.stdout, /Deployed by tsinfra/, served.stderr);
        const venv = await run("docker", [
          "run",
          "--rm",
          "--entrypoint",
          "stat",
          committed!,
          "-c",
          "%U",
          "/opt/myapp/venv/bin/python3",
          "/opt/myapp/code/app.py",
        ]);
        assertEquals(venv.stdout, "myapp\nmyapp\n");
      } finally {
        for (const id of images) await run("docker", ["rmi", "-f", id]);
      }
    });

    await t.step("@docker/CONTAINER: --dry, first run, no-change run", async () => {
      const id = (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim();
      try {
        await threeRuns(`@docker/${id}`);
        const pid = await run("docker", ["exec", id, "cat", "/run/nginx.pid"]);
        assertMatch(pid.stdout, /^\d+\n$/);
      } finally {
        await run("docker", ["rm", "-f", id]);
      }
    });

    await t.step(
      "@chroot/PATH: a Debian tree (nginx on 127.0.0.1:18080 while tested)",
      async () => {
        const tree = await Deno.makeTempDir({ prefix: "tsinfra-seed-chroot-" });
        const created = (await run("docker", ["create", IMAGE])).stdout.trim();
        const mounted: string[] = [];
        try {
          const exported = await run("sh", ["-c", `docker export ${created} | tar -x -C ${tree}`]);
          assertEquals(exported.code, 0, exported.stderr);
          await Deno.chmod(tree, 0o755); // the tree is "/" there: every user must traverse it
          // What a chroot needs to install packages: name resolution, /dev, /proc, and no
          // service started by package scripts (policy-rc.d), as with any build chroot.
          await Deno.copyFile("/etc/resolv.conf", path.join(tree, "etc/resolv.conf"));
          await Deno.writeTextFile(
            path.join(tree, "usr/sbin/policy-rc.d"),
            "#!/bin/sh\nexit 101\n",
          );
          await Deno.chmod(path.join(tree, "usr/sbin/policy-rc.d"), 0o755);
          // No Debian default site either (nginx's postinst links it only when the name is
          // free): it would listen on the build host's port 80.
          await Deno.mkdir(path.join(tree, "etc/nginx/sites-enabled"), { recursive: true });
          await Deno.writeTextFile(path.join(tree, "etc/nginx/sites-enabled/default"), "");
          for (
            const [what, args] of [["dev", ["--bind", "/dev"]], ["proc", [
              "-t",
              "proc",
              "proc",
            ]]] as const
          ) {
            const target = path.join(tree, what);
            const mount = await run("mount", [...args, target]);
            assertEquals(mount.code, 0, mount.stderr);
            mounted.unshift(target);
          }
          const data = JSON.stringify({ siteListen: "127.0.0.1:18080" });
          await Deno.writeTextFile(
            path.join(tree, "..", path.basename(tree) + ".inventory.ts"),
            `export const trees = [["@chroot${tree}", ${data}]];\n`,
          );
          await threeRuns(path.join(tree, "..", path.basename(tree) + ".inventory.ts"));
          const served = await run("bash", [
            "-c",
            "exec 3<>/dev/tcp/127.0.0.1/18080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3",
          ]);
          assertMatch(served.stdout, /Deployed by tsinfra/);
        } finally {
          // nginx was started by this test inside the tree: stop it by its pid file.
          const pid = await Deno.readTextFile(path.join(tree, "run/nginx.pid")).catch(() => "");
          if (/^\d+\s*$/.test(pid)) {
            try {
              Deno.kill(Number(pid), "SIGTERM");
            } catch {
              // already gone
            }
            await new Promise((r) => setTimeout(r, 500));
          }
          for (const target of mounted) await run("umount", ["-l", target]);
          await run("docker", ["rm", "-f", created]);
          await Deno.remove(path.join(tree, "..", path.basename(tree) + ".inventory.ts")).catch(
            () => {},
          );
          await Deno.remove(tree, { recursive: true });
        }
      },
    );

    await t.step("@ssh: a fleet host, as the deploy user with sudo", async () => {
      const fleet = await fleetUp(1);
      try {
        const host = fleet.hosts[0];
        const inventory = path.join(fleet.dir, "seed.inventory.ts");
        await Deno.writeTextFile(
          inventory,
          `export const web = [["${host.name}", { sshHostname: "127.0.0.1", sshPort: ${host.port}, sshUser: "deploy", sshKey: ${
            JSON.stringify(fleet.key)
          }, sshKnownHostsFile: ${JSON.stringify(fleet.knownHosts)} }]];\n`,
        );
        await threeRuns(inventory);
        const served = await run("docker", [
          "exec",
          host.container,
          "bash",
          "-c",
          "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3",
        ]);
        assertMatch(served.stdout, /Deployed by tsinfra/);
      } finally {
        await fleet.down();
      }
    });

    await t.step(
      "a broken package name fails that host with apt's message; the other host finishes",
      async () => {
        const ids = [
          (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim(),
          (await run("docker", ["run", "-d", IMAGE, "sleep", "infinity"])).stdout.trim(),
        ];
        const dir = await Deno.makeTempDir({ prefix: "tsinfra-seed-broken-" });
        try {
          await Deno.writeTextFile(
            path.join(dir, "inventory.ts"),
            `export const hosts = [["@docker/${
              ids[0]
            }", { pkg: "tsinfra-no-such-package" }], ["@docker/${ids[1]}", { pkg: "tree" }]];\n`,
          );
          await Deno.writeTextFile(
            path.join(dir, "deploy.ts"),
            `import { apt, files, host } from "tsinfra";\napt.packages({ packages: [host.data.pkg as string], update: true });\nfiles.file({ path: "/tmp/after-packages" });\n`,
          );
          const result = await run(Deno.execPath(), [
            "run",
            "-A",
            path.join(ROOT, "cli.ts"),
            "inventory.ts",
            "deploy.ts",
            "-y",
            "--json",
          ], dir);
          assertEquals(result.code, 1);
          const report = JSON.parse(result.stdout);
          const [broken, fine] = ids.map((id) => report.hosts[`@docker/${id}`]);
          assertMatch(broken.error ?? broken.operations[0].error, /tsinfra-no-such-package/);
          assertEquals(fine.success, true);
          assertEquals(fine.operations.map((o: OperationReport) => o.changed), [true, true]);
        } finally {
          for (const id of ids) await run("docker", ["rm", "-f", id]);
          await Deno.remove(dir, { recursive: true });
        }
      },
    );
  },
);
