/**
 * Docker facts, from `docker ... inspect` JSON: the daemon (`docker.DockerSystemInfo`),
 * all containers, images, networks and volumes, and one of each by id or name.
 *
 * @module
 */
import { defineFact, type Fact } from "../core/fact.ts";
import { sh } from "../core/command.ts";

/** Docker's JSON for an object, as `docker inspect` prints it. */
export type DockerObject = Record<string, unknown>;

function parseJson(lines: string[]): unknown {
  return JSON.parse(lines.join(""));
}

/**
 * `docker <type> inspect` of every id `list` prints; nothing (so the default, `[]`) when
 * there are none, where a bare `docker <type> inspect` would fail for want of arguments.
 */
function inspectAll(type: string, list: string): string {
  return `ids=$(${list}) && if [ -n "$ids" ]; then docker ${type} inspect $ids; fi`;
}

function listFact(name: string, summary: string, command: string): Fact<DockerObject[]> {
  return defineFact<DockerObject[]>({
    name,
    summary,
    command,
    requiresCommand: "docker",
    process: (lines) => parseJson(lines) as DockerObject[],
    default: () => [],
  });
}

function singleFact(name: string, summary: string, type: string) {
  return defineFact<DockerObject[], { object_id: string }>({
    name,
    summary,
    argNames: ["object_id"],
    requiresCommand: "docker",
    command: ({ object_id }) => sh`docker ${type} inspect ${object_id} 2>&- || true`,
    process: (lines) => parseJson(lines) as DockerObject[],
    default: () => [],
  });
}

/**
 * The docker daemon's `system info`.
 *
 * @example
 * ```ts ignore
 * const info = await host.getFact(DockerSystemInfo);
 * ```
 */
export const DockerSystemInfo: Fact<DockerObject> = defineFact<DockerObject>({
  name: "docker.DockerSystemInfo",
  summary: "Returns docker system info in JSON format.",
  command: 'docker system info --format="{{json .}}"',
  requiresCommand: "docker",
  process: (lines) => parseJson(lines) as DockerObject,
  default: () => ({}),
});

/**
 * Every container (running or not), inspected. pyinfra's command, kept as its test
 * cases have it: on a host without any container, `docker container inspect` gets no
 * argument and the fact fails (the other lists take `[]` there).
 *
 * @example
 * ```ts ignore
 * const containers = await host.getFact(DockerContainers);
 * ```
 */
export const DockerContainers: Fact<DockerObject[]> = listFact(
  "docker.DockerContainers",
  "Returns docker inspect output for all Docker containers.",
  "docker container inspect `docker ps -qa`",
);

/**
 * Every image, inspected (`[]` when there is none).
 *
 * @example
 * ```ts ignore
 * const tags = (await host.getFact(DockerImages)).flatMap((i) => i.RepoTags as string[]);
 * ```
 */
export const DockerImages: Fact<DockerObject[]> = listFact(
  "docker.DockerImages",
  "Returns docker inspect output for all Docker images.",
  inspectAll("image", "docker images -q"),
);

/**
 * Every network, inspected.
 *
 * @example
 * ```ts ignore
 * const names = (await host.getFact(DockerNetworks)).map((n) => n.Name);
 * ```
 */
export const DockerNetworks: Fact<DockerObject[]> = listFact(
  "docker.DockerNetworks",
  "Returns docker inspect output for all Docker networks.",
  inspectAll("network", "docker network ls -q"),
);

/**
 * Every volume, inspected (`[]` when there is none).
 *
 * @example
 * ```ts ignore
 * const names = (await host.getFact(DockerVolumes)).map((v) => v.Name);
 * ```
 */
export const DockerVolumes: Fact<DockerObject[]> = listFact(
  "docker.DockerVolumes",
  "Returns docker inspect output for all Docker volumes.",
  inspectAll("volume", "docker volume ls -q"),
);

/**
 * One container by id or name, inspected (`[]` when there is none).
 *
 * @example
 * ```ts ignore
 * const [web] = await host.getFact(DockerContainer, { object_id: "web" });
 * ```
 */
export const DockerContainer: Fact<DockerObject[], { object_id: string }> = singleFact(
  "docker.DockerContainer",
  "Returns docker inspect output for a single Docker container.",
  "container",
);

/**
 * One image by id or `name:tag`, inspected (`[]` when the host does not have it).
 *
 * @example
 * ```ts ignore
 * const [debian] = await host.getFact(DockerImage, { object_id: "debian:12" });
 * ```
 */
export const DockerImage: Fact<DockerObject[], { object_id: string }> = singleFact(
  "docker.DockerImage",
  "Returns docker inspect output for a single Docker image.",
  "image",
);

/**
 * One network by id or name, inspected (`[]` when there is none).
 *
 * @example
 * ```ts ignore
 * const [backend] = await host.getFact(DockerNetwork, { object_id: "backend" });
 * ```
 */
export const DockerNetwork: Fact<DockerObject[], { object_id: string }> = singleFact(
  "docker.DockerNetwork",
  "Returns docker inspect output for a single Docker network.",
  "network",
);

/**
 * One volume by name, inspected (`[]` when there is none).
 *
 * @example
 * ```ts ignore
 * const [data] = await host.getFact(DockerVolume, { object_id: "pgdata" });
 * ```
 */
export const DockerVolume: Fact<DockerObject[], { object_id: string }> = singleFact(
  "docker.DockerVolume",
  "Returns docker inspect output for a single Docker volume.",
  "volume",
);
