/**
 * docker operations beyond the fixtures: a container is compared with `docker inspect`
 * field by field (recreated on drift, left alone when it matches), stopped with
 * `start: false`, managed without an image when it exists, and bad options are refused.
 */
import * as docker from "../../src/operations/docker.ts";
import { ArgumentError, OperationError, OperationTypeError } from "../../src/core/errors.ts";
import { generateWith } from "./_context.ts";
import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";

/** `docker container inspect` of `web` as docker 20.10 prints it (the fields compared). */
function inspected(overrides: Record<string, unknown> = {}) {
  return {
    Config: {
      Image: "tsinfra-fleet:bookworm",
      Cmd: ["sleep", "infinity"],
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "MODE=prod"],
      Labels: { a: "b" },
      Volumes: null,
    },
    State: { Status: "running", Running: true },
    HostConfig: {
      Binds: ["data:/data", "/tmp:/host"],
      PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }] },
      RestartPolicy: { Name: "unless-stopped", MaximumRetryCount: 0 },
      AutoRemove: false,
    },
    NetworkSettings: { Networks: { front: {} } },
    ...overrides,
  };
}

const wanted: docker.ContainerOptions = {
  container: "web",
  image: "tsinfra-fleet:bookworm",
  command: ["sleep", "infinity"],
  envVars: ["MODE=prod"],
  labels: ["a=b"],
  volumes: ["data:/data", "/tmp:/host"],
  ports: ["127.0.0.1:18080:80"],
  restartPolicy: "unless-stopped",
  networks: ["front"],
};

const withContainer = (value: unknown) => (name: string) =>
  name === "docker.DockerContainer" ? [value] : null;

Deno.test("docker.container leaves a container that matches every option alone", async () => {
  const { commands, noop } = await generateWith(docker.container, wanted, {
    facts: withContainer(inspected()),
  });
  assertEquals([commands, noop], [[], "container web is up to date"]);
});

Deno.test("docker.container recreates a container whose options drifted", async () => {
  const drifts: Partial<docker.ContainerOptions>[] = [
    { command: ["sleep", "1"] },
    { envVars: ["MODE=dev"] },
    { labels: ["a=c"] },
    { volumes: ["data:/data"] },
    { ports: ["8080:80"] },
    { restartPolicy: null },
    { autoRemove: true },
    { networks: ["front", "back"] },
  ];
  for (const drift of drifts) {
    const { commands } = await generateWith(docker.container, { ...wanted, ...drift }, {
      facts: withContainer(inspected()),
    });
    assertEquals(commands[0], "docker container rm -f web", JSON.stringify(drift));
    assertEquals(commands.at(-1), "docker container start web");
  }
});

Deno.test("docker.container passes labels, restart policy and --rm when creating", async () => {
  const { commands } = await generateWith(docker.container, {
    container: "job",
    image: "debian:12",
    labels: ["team=ops"],
    restartPolicy: "on-failure:3",
    autoRemove: true,
    command: ["sh", "-c", "echo $HOME"],
    start: false,
  }, { facts: () => [] });
  assertEquals(commands, [
    "docker container create --name job --label team=ops --restart on-failure:3 --rm " +
    "debian:12 sh -c 'echo $HOME'",
  ]);
});

Deno.test("docker.container stops a running container with start: false", async () => {
  const stop = await generateWith(docker.container, { container: "web", start: false }, {
    facts: withContainer(inspected()),
  });
  assertEquals(stop.commands, ["docker container stop web"]);
  const stopped = inspected({ State: { Status: "exited", Running: false } });
  const start = await generateWith(docker.container, { container: "web" }, {
    facts: withContainer(stopped),
  });
  assertEquals(start.commands, ["docker container start web"]);
});

Deno.test("docker.container without an image cannot create a missing container", async () => {
  const error = await assertRejects(
    () => generateWith(docker.container, { container: "web" }, { facts: () => [] }),
    /container web does not exist and no image was given/,
  );
  assertEquals(error instanceof OperationError, true);
});

Deno.test("docker.container refuses a list option given as a string", () => {
  const error = assertThrows(
    () => docker.container.splitArguments({ container: "web", image: "x", ports: "80:80" }, "test"),
    /ports/,
  );
  assertEquals(error instanceof ArgumentError || error instanceof OperationTypeError, true);
});

Deno.test("docker.image pulls a present image again only with force", async () => {
  const facts = (name: string) => name === "docker.DockerImage" ? [{ Id: "sha256:1" }] : null;
  const present = await generateWith(docker.image, { image: "debian:12" }, { facts });
  assertEquals([present.commands, present.noop], [[], "image debian:12 is present"]);
  const forced = await generateWith(docker.image, { image: "debian:12", force: true }, { facts });
  assertEquals(forced.commands, ["docker image pull debian:12"]);
  const removed = await generateWith(docker.image, { image: "debian:12", present: false }, {
    facts,
  });
  assertEquals(removed.commands, ["docker image rm debian:12"]);
});

Deno.test("docker.volume and docker.network quote names and options", async () => {
  const volume = await generateWith(docker.volume, { volume: "my data", labels: ["a=b c"] }, {
    facts: () => [],
  });
  assertEquals(volume.commands, ["docker volume create --label 'a=b c' 'my data'"]);
  const network = await generateWith(docker.network, {
    network: "back",
    subnet: "10.10.0.0/24",
    opts: ["com.docker.network.bridge.name=br-back"],
    attachable: true,
  }, { facts: () => [] });
  assertEquals(network.commands, [
    "docker network create --subnet 10.10.0.0/24 " +
    "--opt com.docker.network.bridge.name=br-back --attachable back",
  ]);
  const exists = await generateWith(docker.network, { network: "back" }, {
    facts: () => [{ Name: "back" }],
  });
  assertEquals([exists.commands, exists.noop], [[], "network back exists"]);
});
