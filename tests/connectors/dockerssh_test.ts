/**
 * `@dockerssh/HOST:IMAGE` for real: a fleet host reached over SSH has docker's client,
 * pointed at this machine's daemon through its mounted socket. The deploy runs in a
 * container started from the image over SSH, is committed to a new image, and the
 * second run on that image changes nothing.
 */
import * as path from "node:path";
import { dockerTest, fleetUp } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const IMAGE = "tsinfra-fleet:bookworm";

const tsinfra = tsinfraIn;

const DEPLOY = `
import { files, server } from "tsinfra";
files.directory({ path: "/srv/dockerssh", mode: 750 });
files.put({ src: "./payload.txt", dest: "/srv/dockerssh/payload.txt", mode: 600 });
server.user({ user: "dockerssh", home: "/srv/dockerssh/home", system: true });
`;

await dockerTest("@dockerssh runs a deploy in a container on a docker host over SSH", async (t) => {
  const fleet = await fleetUp(1, {
    dockerArgs: [
      "--volume=/var/run/docker.sock:/var/run/docker.sock",
      "--volume=/usr/bin/docker:/usr/bin/docker:ro",
    ],
  });
  const dir = await Deno.makeTempDir({ prefix: "tsinfra-dockerssh-" });
  const images: string[] = [];
  try {
    await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
    await Deno.writeTextFile(path.join(dir, "payload.txt"), "over ssh\n");
    const host = fleet.hosts[0];
    const inventory = (image: string) =>
      `export const builders = [["@dockerssh/${host.name}:${image}", {
  sshHostname: "127.0.0.1", sshPort: ${host.port}, sshUser: "root",
  sshKey: ${JSON.stringify(fleet.key)}, sshKnownHostsFile: ${JSON.stringify(fleet.knownHosts)},
}]];\n`;

    let committed = "";
    await t.step("first run changes the container and commits it to a new image", async () => {
      await Deno.writeTextFile(path.join(dir, "inventory.ts"), inventory(IMAGE));
      const first = await tsinfra(dir, "inventory.ts", "deploy.ts", "-y");
      assertEquals(first.code, 0, first.stdout + first.stderr);
      const match = /committed the container of \S+ to image (sha256:[0-9a-f]+) on fleet-1/.exec(
        first.stdout + first.stderr,
      );
      assertMatch(first.stdout + first.stderr, /Changed\D+[1-9]/);
      committed = match?.[1] ?? "";
      assertMatch(committed, /^sha256:/, first.stdout + first.stderr);
      images.push(committed);
      const cat = await run("docker", [
        "run",
        "--rm",
        committed,
        "cat",
        "/srv/dockerssh/payload.txt",
      ]);
      assertEquals(cat.stdout, "over ssh\n", cat.stderr);
    });

    await t.step("the committed image needs no change", async () => {
      await Deno.writeTextFile(path.join(dir, "inventory.ts"), inventory(committed));
      const second = await tsinfra(dir, "inventory.ts", "deploy.ts", "-y", "--json");
      assertEquals(second.code, 0, second.stderr);
      assertEquals(JSON.parse(second.stdout).totals.changed, 0);
      const next = /to image (sha256:[0-9a-f]+)/.exec(second.stderr + second.stdout)?.[1];
      if (next) images.push(next);
    });

    await t.step("an image that does not exist is one clear error for that host", async () => {
      await Deno.writeTextFile(path.join(dir, "inventory.ts"), inventory("no-such-image:1"));
      const missing = await tsinfra(dir, "inventory.ts", "deploy.ts", "-y");
      assertEquals(missing.code, 1);
      assertMatch(missing.stdout + missing.stderr, /no such image on fleet-1/);
    });
  } finally {
    for (const image of images) await run("docker", ["rmi", "-f", image]);
    await Deno.remove(dir, { recursive: true });
    await fleet.down();
  }
});
