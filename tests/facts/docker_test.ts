/**
 * docker facts: the commands, and every fact read from this machine's real docker
 * daemon (20.10, Debian's docker.io) on objects made for the test, including the lists
 * that are empty and the single objects that do not exist.
 */
import { splitLines } from "../../src/core/host.ts";
import type { Fact, FactArgs } from "../../src/core/fact.ts";
import {
  DockerContainer,
  DockerContainers,
  DockerImage,
  DockerImages,
  DockerNetwork,
  DockerNetworks,
  DockerSystemInfo,
  DockerVolume,
  DockerVolumes,
} from "../../src/facts/docker.ts";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals } from "../_assert.ts";
import { run } from "../_cli.ts";

/** Runs a fact's command with `sh -c` and parses it as the engine would (error on failure). */
async function viaSh<T, A extends FactArgs>(fact: Fact<T, A>, args: A): Promise<T> {
  const out = await new Deno.Command("sh", {
    args: ["-c", fact.hostCommand(args).raw()],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${fact.name} failed: ${text(out.stderr)}`);
  const lines = splitLines(text(out.stdout));
  return lines.length ? fact.process(lines, args) : fact.defaultValue();
}

Deno.test("docker facts inspect one object by its quoted id, silently when it is missing", () => {
  assertEquals(
    DockerVolume.hostCommand({ object_id: "my data" }).raw(),
    "! command -v docker >/dev/null || docker volume inspect 'my data' 2>&- || true",
  );
  assertEquals(DockerContainer.process(["[]"], { object_id: "x" }), []);
});

Deno.test("docker list facts skip inspect when there is nothing to inspect", () => {
  assertEquals(
    DockerVolumes.hostCommand({}).raw(),
    "! command -v docker >/dev/null || " +
      'ids=$(docker volume ls -q) && if [ -n "$ids" ]; then docker volume inspect $ids; fi',
  );
  assertEquals(DockerImages.defaultValue(), []);
});

Deno.test("docker facts parse inspect JSON spread over several lines", () => {
  const lines = ["[", "  {", '    "Name": "pgdata",', '    "Driver": "local"', "  }", "]"];
  assertEquals(DockerVolume.process(lines, { object_id: "pgdata" }), [
    { Name: "pgdata", Driver: "local" },
  ]);
});

await dockerTest("docker facts read the real daemon's objects", async () => {
  const suffix = Math.floor(Math.random() * 1e9).toString(36);
  const [volume, network, container] = ["vol", "net", "ctr"].map((k) =>
    `tsinfra-fact-${k}-${suffix}`
  );
  try {
    assertEquals(await viaSh(DockerVolume, { object_id: volume }), []);
    assertEquals(await viaSh(DockerNetwork, { object_id: network }), []);
    assertEquals(await viaSh(DockerContainer, { object_id: container }), []);
    assertEquals(await viaSh(DockerImage, { object_id: `tsinfra-missing:${suffix}` }), []);

    assertEquals((await run("docker", ["volume", "create", "--label", "t=1", volume])).code, 0);
    assertEquals((await run("docker", ["network", "create", network])).code, 0);
    const created = await run("docker", [
      "create",
      "--name",
      container,
      "--network",
      network,
      "-v",
      `${volume}:/data`,
      "tsinfra-fleet:bookworm",
      "sleep",
      "infinity",
    ]);
    assertEquals(created.code, 0, created.stderr);

    const [vol] = await viaSh(DockerVolume, { object_id: volume });
    assertEquals([vol.Name, vol.Driver, vol.Labels], [volume, "local", { t: "1" }]);
    const [net] = await viaSh(DockerNetwork, { object_id: network });
    assertEquals([net.Name, net.Driver], [network, "bridge"]);
    const [ctr] = await viaSh(DockerContainer, { object_id: container });
    const config = ctr.Config as { Image: string; Cmd: string[] };
    assertEquals([config.Image, config.Cmd], ["tsinfra-fleet:bookworm", ["sleep", "infinity"]]);
    assertEquals((ctr.State as { Status: string }).Status, "created");
    const [image] = await viaSh(DockerImage, { object_id: "tsinfra-fleet:bookworm" });
    assertEquals((image.RepoTags as string[]).includes("tsinfra-fleet:bookworm"), true);

    const names = (objects: Record<string, unknown>[]) => objects.map((o) => o.Name);
    assertEquals(names(await viaSh(DockerVolumes, {})).includes(volume), true);
    assertEquals(names(await viaSh(DockerNetworks, {})).includes(network), true);
    assertEquals(names(await viaSh(DockerContainers, {})).includes(`/${container}`), true);
    const images = await viaSh(DockerImages, {});
    assertEquals(
      images.some((i) => (i.RepoTags as string[]).includes("tsinfra-fleet:bookworm")),
      true,
    );
    const info = await viaSh(DockerSystemInfo, {});
    assertEquals(typeof info.ServerVersion, "string");
    assertEquals((info.Containers as number) >= 1, true);
  } finally {
    await run("docker", ["rm", "-f", container]);
    await run("docker", ["network", "rm", network]);
    await run("docker", ["volume", "rm", volume]);
  }
});
