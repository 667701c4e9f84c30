/**
 * Docker operations, against the docker daemon the host's `docker` CLI talks to:
 * `docker.container`, `docker.image`, `docker.volume`, `docker.network` and
 * `docker.prune` (after pyinfra 3's docker module). Each compares the wanted object
 * with `docker inspect` and changes only what differs.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { shellQuote as q } from "../core/quote.ts";
import { OperationTypeError } from "../core/errors.ts";
import {
  DockerContainer,
  DockerImage,
  DockerNetwork,
  type DockerObject,
  DockerVolume,
} from "../facts/docker.ts";

function first(objects: unknown): DockerObject | undefined {
  if (Array.isArray(objects)) return objects[0] as DockerObject | undefined;
  return objects && typeof objects === "object" ? objects as DockerObject : undefined;
}

function flags(name: string, values: readonly string[] | null | undefined): string[] {
  return (values ?? []).flatMap((value) => [name, q(value)]);
}

/** Options of {@linkcode container}. */
export interface ContainerOptions {
  /** The container's name. */
  container: string;
  /** The image it runs (needed when present). @default {null} */
  image?: string | null;
  /** Published ports, `"127.0.0.1:8080:80"`. @default {null} */
  ports?: string[] | null;
  /** Networks to connect it to. @default {null} */
  networks?: string[] | null;
  /** Volumes, `"data:/var/lib/data"`. @default {null} */
  volumes?: string[] | null;
  /** Environment variables, `"KEY=value"`. @default {null} */
  envVars?: string[] | null;
  /** Pull the image before creating the container. @default {false} */
  pullAlways?: boolean;
  /** Whether the container should exist. @default {true} */
  present?: boolean;
  /** Remove and create it again even when it matches. @default {false} */
  force?: boolean;
  /** Keep it running (start it when stopped). @default {true} */
  start?: boolean;
  /** The command it runs, as shell words after the image. @default {null} */
  command?: string[] | null;
}

/**
 * Creates, starts or removes a container. An existing container of another image is
 * replaced; one stopped is started (`start`).
 *
 * @example
 * ```ts ignore
 * docker.container({ container: "web", image: "nginx:1.25", ports: ["127.0.0.1:8080:80"] });
 * ```
 */
export const container: Operation<ContainerOptions> = defineOperation<ContainerOptions>(
  "docker.container",
  {
    argNames: [
      "container",
      "image",
      "ports",
      "networks",
      "volumes",
      "envVars",
      "pullAlways",
      "present",
      "force",
      "start",
      "command",
    ],
    summary: "Manage Docker containers.",
    async *generator(args, ctx) {
      const { container: name, present = true, start = true } = args;
      const current = first(await ctx.host.getFact(DockerContainer, { object_id: name }));
      if (!present) {
        if (current) yield `docker container rm -f ${q(name)}`;
        else ctx.noop(`container ${name} does not exist`);
        return;
      }
      if (!args.image) throw new OperationTypeError("docker.container needs `image` when present");
      const config = current?.Config as { Image?: string } | undefined;
      const state = current?.State as { Running?: boolean } | undefined;
      const same = current && config?.Image === args.image && !args.force;
      if (same) {
        if (start && !state?.Running) yield `docker container start ${q(name)}`;
        else ctx.noop(`container ${name} is up to date`);
        return;
      }
      if (current) yield `docker container rm -f ${q(name)}`;
      if (args.pullAlways) yield `docker image pull ${q(args.image)}`;
      const networks = args.networks ?? [];
      yield [
        "docker container create --name",
        q(name),
        ...flags("-p", args.ports),
        ...flags("-v", args.volumes),
        ...flags("-e", args.envVars),
        ...(networks.length ? ["--network", q(networks[0])] : []),
        q(args.image),
        ...(args.command ?? []).map(q),
      ].join(" ");
      for (const network of networks.slice(1)) {
        yield `docker network connect ${q(network)} ${q(name)}`;
      }
      if (start) yield `docker container start ${q(name)}`;
    },
  },
);

/** Options of {@linkcode image}. */
export interface ImageOptions {
  /** The image, `name:tag`. */
  image: string;
  /** Whether it should be on the host (pulled) or not. @default {true} */
  present?: boolean;
}

/**
 * Pulls or removes an image.
 *
 * @example
 * ```ts ignore
 * docker.image({ image: "debian:12" });
 * ```
 */
export const image: Operation<ImageOptions> = defineOperation<ImageOptions>("docker.image", {
  argNames: ["image", "present"],
  summary: "Manage Docker images.",
  async *generator({ image, present = true }, ctx) {
    const current = first(await ctx.host.getFact(DockerImage, { object_id: image }));
    if (present && !current) yield `docker image pull ${q(image)}`;
    else if (!present && current) yield `docker image rm ${q(image)}`;
    else ctx.noop(`image ${image} ${present ? "is present" : "does not exist"}`);
  },
});

/** Options of {@linkcode volume}. */
export interface VolumeOptions {
  /** The volume's name. */
  volume: string;
  /** Its driver. @default {null} (docker's default) */
  driver?: string | null;
  /** Labels, `"key=value"`. @default {null} */
  labels?: string[] | null;
  /** Whether it should exist. @default {true} */
  present?: boolean;
}

/**
 * Creates or removes a volume.
 *
 * @example
 * ```ts ignore
 * docker.volume({ volume: "pgdata" });
 * ```
 */
export const volume: Operation<VolumeOptions> = defineOperation<VolumeOptions>("docker.volume", {
  argNames: ["volume", "driver", "labels", "present"],
  summary: "Manage Docker volumes.",
  async *generator({ volume, driver, labels, present = true }, ctx) {
    const current = first(await ctx.host.getFact(DockerVolume, { object_id: volume }));
    if (present && !current) {
      yield [
        "docker volume create",
        ...(driver ? ["--driver", q(driver)] : []),
        ...flags("--label", labels),
        q(volume),
      ].join(" ");
    } else if (!present && current) yield `docker volume rm ${q(volume)}`;
    else ctx.noop(`volume ${volume} ${present ? "exists" : "does not exist"}`);
  },
});

/** Options of {@linkcode network}. */
export interface NetworkOptions {
  /** The network's name. */
  network: string;
  /** Its driver (`bridge`, `overlay`). @default {null} */
  driver?: string | null;
  /** Its gateway. @default {null} */
  gateway?: string | null;
  /** The range containers get addresses from. @default {null} */
  ipRange?: string | null;
  /** The IPAM driver. @default {null} */
  ipamDriver?: string | null;
  /** Its subnet, `10.10.0.0/24`. @default {null} */
  subnet?: string | null;
  /** Its scope. @default {null} */
  scope?: string | null;
  /** Driver options, `"key=value"`. @default {null} */
  opts?: string[] | null;
  /** IPAM options, `"key=value"`. @default {null} */
  ipamOpts?: string[] | null;
  /** Labels, `"key=value"`. @default {null} */
  labels?: string[] | null;
  /** A swarm routing-mesh network. @default {false} */
  ingress?: boolean;
  /** Standalone containers may attach. @default {false} */
  attachable?: boolean;
  /** Whether it should exist. @default {true} */
  present?: boolean;
}

/**
 * Creates or removes a network.
 *
 * @example
 * ```ts ignore
 * docker.network({ network: "backend", subnet: "10.10.0.0/24" });
 * ```
 */
export const network: Operation<NetworkOptions> = defineOperation<NetworkOptions>(
  "docker.network",
  {
    argNames: [
      "network",
      "driver",
      "gateway",
      "ipRange",
      "ipamDriver",
      "subnet",
      "scope",
      "opts",
      "ipamOpts",
      "labels",
      "ingress",
      "attachable",
      "present",
    ],
    summary: "Manage Docker networks.",
    async *generator(args, ctx) {
      const { network, present = true } = args;
      const current = first(await ctx.host.getFact(DockerNetwork, { object_id: network }));
      if (!present) {
        if (current) yield `docker network rm ${q(network)}`;
        else ctx.noop(`network ${network} does not exist`);
        return;
      }
      if (current) {
        ctx.noop(`network ${network} exists`);
        return;
      }
      const option = (flag: string, value: string | null | undefined) =>
        value ? [flag, q(value)] : [];
      yield [
        "docker network create",
        ...option("--driver", args.driver),
        ...option("--gateway", args.gateway),
        ...option("--ip-range", args.ipRange),
        ...option("--ipam-driver", args.ipamDriver),
        ...option("--subnet", args.subnet),
        ...option("--scope", args.scope),
        ...flags("--opt", args.opts),
        ...flags("--ipam-opt", args.ipamOpts),
        ...flags("--label", args.labels),
        ...(args.ingress ? ["--ingress"] : []),
        ...(args.attachable ? ["--attachable"] : []),
        q(network),
      ].join(" ");
    },
  },
);

/** Options of {@linkcode prune}. */
export interface PruneOptions {
  /** Also unused images, not only dangling ones (`--all`). @default {false} */
  all?: boolean;
  /** Also unused volumes (`--volumes`). @default {false} */
  volumes?: boolean;
  /** A filter, `until=24h`. @default {null} */
  filter?: string | null;
}

/**
 * Removes unused containers, networks, images (and volumes). Not idempotent.
 *
 * @example
 * ```ts ignore
 * docker.prune({ all: true, filter: "until=168h" });
 * ```
 */
export const prune: Operation<PruneOptions> = defineOperation<PruneOptions>("docker.prune", {
  argNames: ["all", "volumes", "filter"],
  idempotent: false,
  summary: "Remove unused Docker data.",
  async *generator({ all, volumes, filter }) {
    yield [
      "docker system prune -f",
      ...(all ? ["--all"] : []),
      ...(volumes ? ["--volumes"] : []),
      ...(filter ? ["--filter", q(filter)] : []),
    ].join(" ");
  },
});
