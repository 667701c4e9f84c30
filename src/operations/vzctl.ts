/**
 * OpenVZ operations: `vzctl.start`, `stop`, `restart`, `mount`, `unmount`, `delete`,
 * `create` and `set`, with pyinfra's arguments and commands. None is idempotent.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { OperationError } from "../core/errors.ts";
import { sh } from "../core/command.ts";
import { OpenvzContainers } from "../facts/vzctl.ts";

/** A container's CTID. */
export interface CtidOptions {
  /** The container's CTID. */
  ctid: number | string;
}

/** Options of {@linkcode start} and {@linkcode restart}. */
export interface StartOptions extends CtidOptions {
  /** Start even when disabled (`--force`). @default {false} */
  force?: boolean;
}

function simple(name: string, verb: string, summary: string): Operation<CtidOptions> {
  return defineOperation<CtidOptions>(`vzctl.${name}`, {
    argNames: ["ctid"],
    idempotent: false,
    summary,
    async *generator({ ctid }) {
      yield sh`vzctl ${verb} ${ctid}`;
    },
  });
}

/**
 * Starts a container.
 *
 * @example
 * ```ts ignore
 * vzctl.start({ ctid: 101 });
 * ```
 */
export const start: Operation<StartOptions> = defineOperation<StartOptions>("vzctl.start", {
  argNames: ["ctid", "force"],
  idempotent: false,
  summary: "Start OpenVZ containers.",
  async *generator({ ctid, force }) {
    yield sh`vzctl start ${[String(ctid), ...(force ? ["--force"] : [])]}`;
  },
});

/**
 * Stops a container.
 *
 * @example
 * ```ts ignore
 * vzctl.stop({ ctid: 101 });
 * ```
 */
export const stop: Operation<CtidOptions> = simple("stop", "stop", "Stop OpenVZ containers.");

/**
 * Stops, then starts a container.
 *
 * @example
 * ```ts ignore
 * vzctl.restart({ ctid: 101 });
 * ```
 */
export const restart: Operation<StartOptions> = defineOperation<StartOptions>("vzctl.restart", {
  argNames: ["ctid", "force"],
  idempotent: false,
  summary: "Restart OpenVZ containers.",
  async *generator(args, ctx) {
    yield* stop.generate({ ctid: args.ctid }, ctx);
    yield* start.generate(args, ctx);
  },
});

/**
 * Mounts a container's filesystem.
 *
 * @example
 * ```ts ignore
 * vzctl.mount({ ctid: 101 });
 * ```
 */
export const mount: Operation<CtidOptions> = simple(
  "mount",
  "mount",
  "Mount OpenVZ container filesystems.",
);

/**
 * Unmounts a container's filesystem.
 *
 * @example
 * ```ts ignore
 * vzctl.unmount({ ctid: 101 });
 * ```
 */
export const unmount: Operation<CtidOptions> = simple(
  "unmount",
  "umount",
  "Unmount OpenVZ container filesystems.",
);

/**
 * Deletes a container.
 *
 * @example
 * ```ts ignore
 * vzctl.delete_({ ctid: 101 });
 * ```
 */
export const delete_: Operation<CtidOptions> = simple(
  "delete",
  "delete",
  "Delete OpenVZ containers.",
);
export { delete_ as delete };

/** Options of {@linkcode create}. */
export interface CreateOptions extends CtidOptions {
  /** The OS template. @default {null} */
  template?: string | null;
}

/**
 * Creates a container; an existing CTID is an error.
 *
 * @example
 * ```ts ignore
 * vzctl.create({ ctid: 101, template: "debian-12-x86_64" });
 * ```
 */
export const create: Operation<CreateOptions> = defineOperation<CreateOptions>("vzctl.create", {
  argNames: ["ctid", "template"],
  idempotent: false,
  summary: "Create OpenVZ containers.",
  async *generator({ ctid, template }, ctx) {
    const containers: unknown = await ctx.host.getFact(OpenvzContainers);
    // The fact maps CTIDs to details; a plain list of CTIDs is accepted too.
    const exists = Array.isArray(containers)
      ? containers.map(String).includes(String(ctid))
      : Object.hasOwn(containers as object, String(ctid));
    if (exists) {
      throw new OperationError(`An OpenVZ container with CTID ${ctid} already exists`);
    }
    yield sh`vzctl create ${[String(ctid), ...(template ? ["--ostemplate", template] : [])]}`;
  },
});

/** Options of {@linkcode set}: `--KEY VALUE` for every other option. */
export interface SetOptions extends CtidOptions {
  /** Keep the settings (`--save`). @default {true} */
  save?: boolean;
  /** Any vzctl setting: `{ hostname: "web1", ipadd: ["10.0.0.2", "10.0.0.3"] }`. */
  [setting: string]: unknown;
}

/**
 * Changes a container's settings.
 *
 * @example
 * ```ts ignore
 * vzctl.set({ ctid: 101, hostname: "web1", nameserver: ["1.1.1.1", "9.9.9.9"] });
 * ```
 */
export const set: Operation<SetOptions> = defineOperation<SetOptions>("vzctl.set", {
  argNames: ["ctid", "save"],
  acceptsExtraArguments: true,
  idempotent: false,
  summary: "Set OpenVZ container details.",
  async *generator({ ctid, save = true, ...settings }) {
    const words = [String(ctid)];
    if (save) words.push("--save");
    for (const [key, value] of Object.entries(settings)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        words.push(`--${key}`, String(item));
      }
    }
    yield sh`vzctl set ${words}`;
  },
});
