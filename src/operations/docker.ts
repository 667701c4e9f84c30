/**
 * Docker operations, against the docker daemon the host's `docker` CLI talks to:
 * `docker.container`, `docker.image`, `docker.volume`, `docker.network` and
 * `docker.prune` (after pyinfra 3's docker module). Each compares the wanted object
 * with `docker inspect` and changes only what differs.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { OperationError } from "../core/errors.ts";
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

/** `name value` for each value: words that {@linkcode sh} quotes one by one. */
function flags(name: string, values: readonly string[] | null | undefined): string[] {
  return (values ?? []).flatMap((value) => [name, value]);
}

/** The parts of `docker container inspect` that docker.container compares. */
interface ContainerInspect {
  Config?: {
    Image?: string;
    Cmd?: string[] | null;
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
    Volumes?: Record<string, unknown> | null;
  };
  State?: { Running?: boolean; Status?: string };
  HostConfig?: {
    Binds?: string[] | null;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    AutoRemove?: boolean;
  };
  NetworkSettings?: { Networks?: Record<string, unknown> | null };
}

/** `[ip:][hostPort:]containerPort[/proto]` as `ip:hostPort:containerPort/proto`. */
function portKey(spec: string): string {
  const slash = spec.lastIndexOf("/");
  const proto = slash >= 0 ? spec.slice(slash + 1) : "tcp";
  const parts = (slash >= 0 ? spec.slice(0, slash) : spec).split(":");
  const container = parts.pop() ?? "";
  const host = parts.pop() ?? "";
  return `${parts.join(":").replace(/^\[|\]$/g, "")}:${host}:${container}/${proto}`;
}

function sameSet(a: Iterable<string>, b: Iterable<string>): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/**
 * What differs between an existing container and the wanted one, or null when they
 * match. Only what the inspect output shows is compared; defaults the image decides
 * (its command, its environment) are compared only when given.
 */
function containerDrift(current: ContainerInspect, want: ContainerOptions): string | null {
  const { Config: config = {}, HostConfig: hostConfig } = current;
  if (want.image && config.Image !== undefined && config.Image !== want.image) {
    return `image ${config.Image} is not ${want.image}`;
  }
  if (want.command && config.Cmd !== undefined) {
    if (JSON.stringify(config.Cmd ?? []) !== JSON.stringify(want.command)) return "command differs";
  }
  const env = new Set(config.Env ?? []);
  const missingEnv = (want.envVars ?? []).find((value) => !env.has(value));
  if (missingEnv !== undefined && config.Env !== undefined) return `env ${missingEnv} is missing`;
  for (const label of want.labels ?? []) {
    const at = label.indexOf("=");
    const [key, value] = at < 0 ? [label, ""] : [label.slice(0, at), label.slice(at + 1)];
    if (config.Labels !== undefined && (config.Labels ?? {})[key] !== value) {
      return `label ${key} differs`;
    }
  }
  if (hostConfig) {
    const ports = want.ports ?? [];
    if (hostConfig.PortBindings !== undefined && !ports.some((p) => p.includes("-"))) {
      const have = Object.entries(hostConfig.PortBindings ?? {}).flatMap(([port, bindings]) =>
        (bindings ?? []).map((b) => `${b.HostIp ?? ""}:${b.HostPort ?? ""}:${port}`)
      );
      if (!sameSet(have, ports.map(portKey))) return "published ports differ";
    }
    const volumes = want.volumes ?? [];
    if (hostConfig.Binds !== undefined) {
      if (!sameSet(hostConfig.Binds ?? [], volumes.filter((v) => v.includes(":")))) {
        return "volumes differ";
      }
    }
    const anonymous = volumes.filter((v) => !v.includes(":"));
    const declared = Object.keys(config.Volumes ?? {});
    if (anonymous.some((v) => !declared.includes(v))) return "volumes differ";
    const policy = hostConfig.RestartPolicy;
    if (policy) {
      const [name, retries] = (want.restartPolicy ?? "no").split(":");
      const haveName = policy.Name || "no";
      if (haveName !== name || (retries && Number(retries) !== policy.MaximumRetryCount)) {
        return `restart policy ${haveName} is not ${want.restartPolicy ?? "no"}`;
      }
    }
    if (
      hostConfig.AutoRemove !== undefined && hostConfig.AutoRemove !== (want.autoRemove ?? false)
    ) {
      return "auto-remove differs";
    }
  }
  const networks = current.NetworkSettings?.Networks;
  if (want.networks?.length && networks && !sameSet(Object.keys(networks), want.networks)) {
    return "networks differ";
  }
  return null;
}

/** Options of {@linkcode container}. */
export interface ContainerOptions {
  /** The container's name. */
  container: string;
  /**
   * The image it runs: needed to create it; when given, a container of another image is
   * replaced. @default {null}
   */
  image?: string | null;
  /** Published ports, `"127.0.0.1:8080:80"`, `"8080:80/udp"`. @default {null} */
  ports?: string[] | null;
  /** Networks to connect it to (the first when creating, the others after). @default {null} */
  networks?: string[] | null;
  /**
   * Volumes and bind mounts, `"data:/var/lib/data"`, or `"/cache"` for an anonymous one.
   * @default {null}
   */
  volumes?: string[] | null;
  /** Environment variables, `"KEY=value"`. @default {null} */
  envVars?: string[] | null;
  /** Labels, `"key=value"`. @default {null} */
  labels?: string[] | null;
  /** Pull the image before creating the container. @default {false} */
  pullAlways?: boolean;
  /** Whether the container should exist. @default {true} */
  present?: boolean;
  /** Remove and create it again even when it matches. @default {false} */
  force?: boolean;
  /** Whether it should be running: started when stopped, stopped when running. @default {true} */
  start?: boolean;
  /** The restart policy, `"unless-stopped"`, `"on-failure:3"`. @default {null} (docker's `no`) */
  restartPolicy?: string | null;
  /** Remove the container (and its anonymous volumes) when it exits (`--rm`). @default {false} */
  autoRemove?: boolean;
  /** The command it runs, as words after the image (tsinfra's). @default {null} (the image's) */
  command?: string[] | null;
}

/**
 * Creates, starts, stops or removes a container.
 *
 * An existing container that differs from the options (image, command, ports, volumes,
 * networks, environment, labels, restart policy, auto-remove, as `docker inspect` shows
 * them) is removed and created again; one that matches is only started or stopped as
 * `start` says. Without `image`, an existing container is only started or stopped.
 *
 * @example
 * ```ts ignore
 * docker.container({ container: "web", image: "nginx:1.25", ports: ["127.0.0.1:8080:80"] });
 * docker.container({ container: "web", start: false }); // stop it
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
      "labels",
      "pullAlways",
      "present",
      "force",
      "start",
      "restartPolicy",
      "autoRemove",
      "command",
    ],
    summary: "Manage Docker containers.",
    async *generator(args, ctx) {
      const { container: name, image, present = true, start = true } = args;
      const current = first(await ctx.host.getFact(DockerContainer, { object_id: name })) as
        | ContainerInspect
        | undefined;
      if (!present) {
        if (current) yield sh`docker container rm -f ${name}`;
        else ctx.noop(`container ${name} does not exist`);
        return;
      }
      if (current && (!image || (!args.force && !containerDrift(current, args)))) {
        const running = current.State?.Running ?? current.State?.Status === "running";
        if (start && !running) yield sh`docker container start ${name}`;
        else if (!start && running) yield sh`docker container stop ${name}`;
        else ctx.noop(`container ${name} is up to date`);
        return;
      }
      if (!image) {
        throw new OperationError(
          `docker.container: container ${name} does not exist and no image was given to create it`,
        );
      }
      if (current) yield sh`docker container rm -f ${name}`;
      if (args.pullAlways) yield sh`docker image pull ${image}`;
      const networks = args.networks ?? [];
      yield sh`docker container create --name ${[
        name,
        ...flags("-p", args.ports),
        ...flags("-v", args.volumes),
        ...flags("-e", args.envVars),
        ...flags("--label", args.labels),
        ...(args.restartPolicy ? ["--restart", args.restartPolicy] : []),
        ...(args.autoRemove ? ["--rm"] : []),
        ...(networks.length ? ["--network", networks[0]] : []),
        image,
        ...(args.command ?? []),
      ]}`;
      for (const network of networks.slice(1)) {
        yield sh`docker network connect ${network} ${name}`;
      }
      if (start) yield sh`docker container start ${name}`;
    },
  },
);

/** Options of {@linkcode image}. */
export interface ImageOptions {
  /** The image, `name:tag`. */
  image: string;
  /** Whether it should be on the host (pulled) or not. @default {true} */
  present?: boolean;
  /** Pull it even when the host has it (to follow a moving tag). @default {false} */
  force?: boolean;
}

/**
 * Pulls or removes an image. An image the host has is pulled again only with `force`.
 *
 * @example
 * ```ts ignore
 * docker.image({ image: "debian:12" });
 * docker.image({ image: "nginx:latest", force: true }); // follow the tag
 * ```
 */
export const image: Operation<ImageOptions> = defineOperation<ImageOptions>("docker.image", {
  argNames: ["image", "present", "force"],
  summary: "Manage Docker images.",
  async *generator({ image, present = true, force = false }, ctx) {
    const current = first(await ctx.host.getFact(DockerImage, { object_id: image }));
    if (present && (!current || force)) yield sh`docker image pull ${image}`;
    else if (!present && current) yield sh`docker image rm ${image}`;
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
      yield sh`docker volume create ${[
        ...(driver ? ["--driver", driver] : []),
        ...flags("--label", labels),
        volume,
      ]}`;
    } else if (!present && current) yield sh`docker volume rm ${volume}`;
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
        if (current) yield sh`docker network rm ${network}`;
        else ctx.noop(`network ${network} does not exist`);
        return;
      }
      if (current) {
        ctx.noop(`network ${network} exists`);
        return;
      }
      const option = (flag: string, value: string | null | undefined) => value ? [flag, value] : [];
      yield sh`docker network create ${[
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
        network,
      ]}`;
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
    const options = [
      ...(all ? ["--all"] : []),
      ...(volumes ? ["--volumes"] : []),
      ...(filter ? ["--filter", filter] : []),
    ];
    yield options.length ? sh`docker system prune -f ${options}` : sh`docker system prune -f`;
  },
});
