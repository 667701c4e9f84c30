/**
 * LXD operations: `lxd.container`, with pyinfra's arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation } from "../core/operation.ts";
import { sh } from "../core/command.ts";
import { LxdContainers } from "../facts/lxd.ts";

/** Options of {@linkcode container}. */
export interface ContainerOptions {
  /** The container's name. */
  id: string;
  /** Whether it should exist. @default {true} */
  present?: boolean;
  /** The image it is launched from. @default {"ubuntu:16.04"} */
  image?: string;
}

/**
 * Launches or deletes (stopping it first) an LXD container.
 *
 * @example
 * ```ts ignore
 * lxd.container({ id: "web1", image: "ubuntu:22.04" });
 * ```
 */
export const container: Operation<ContainerOptions> = defineOperation<ContainerOptions>(
  "lxd.container",
  {
    argNames: ["id", "present", "image"],
    summary: "Add/remove LXD containers.",
    async *generator({ id, present = true, image = "ubuntu:16.04" }, ctx) {
      const existing = (await ctx.host.getFact(LxdContainers)).find((c) => c.name === id);
      if (!present) {
        if (existing) {
          if (existing.status === "Running") yield sh`lxc stop ${id}`;
          yield sh`lxc delete ${id}`;
        } else ctx.noop(`container ${id} does not exist`);
        return;
      }
      if (!existing) yield sh`lxc launch ${image} ${id} < /dev/null`;
      else ctx.noop(`container ${id} exists`);
    },
  },
);
