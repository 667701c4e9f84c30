/**
 * `server.packages`: installs or removes packages with whichever package manager the
 * host has, as pyinfra's `server.packages` picks it.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../../core/operation.ts";
import { OperationError } from "../../core/errors.ts";
import { Which } from "../../facts/server.ts";
import { packages as apkPackages } from "../apk.ts";
import { packages as aptPackages } from "../apt.ts";
import { packages as brewPackages } from "../brew.ts";
import { packages as dnfPackages } from "../dnf.ts";
import { packages as pacmanPackages } from "../pacman.ts";
import { packages as pkgPackages } from "../pkg.ts";
import { packages as xbpsPackages } from "../xbps.ts";
import { packages as yumPackages } from "../yum.ts";
import { packages as zypperPackages } from "../zypper.ts";

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** The packages to install or remove. */
  packages: string | string[];
  /** Whether they should be installed. @default {true} */
  present?: boolean;
}

/** The package managers in pyinfra's order of preference (zypper first: openSUSE has apt too). */
/** What server.packages needs of a manager's `packages` operation. */
interface PackagesOperation {
  generate(
    args: { packages: string | string[]; present: boolean },
    ctx: OperationContext,
  ): ReturnType<Operation<unknown>["generate"]>;
}

const MANAGERS: readonly [string[], PackagesOperation][] = [
  [["zypper"], zypperPackages],
  [["apk"], apkPackages],
  [["apt"], aptPackages],
  [["brew"], brewPackages],
  [["dnf"], dnfPackages],
  [["pacman"], pacmanPackages],
  [["xbps"], xbpsPackages],
  [["yum"], yumPackages],
  [["pkg", "pkg_add"], pkgPackages],
];

/**
 * Installs or removes system packages with the host's package manager: zypper, apk,
 * apt, brew, dnf, pacman, xbps, yum or pkg, the first found.
 *
 * @example
 * ```ts ignore
 * server.packages({ packages: ["vim", "curl"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "server.packages",
  {
    argNames: ["packages", "present"],
    summary: "Add or remove system packages.",
    async *generator({ packages, present = true }, ctx) {
      // Every candidate is asked for in one round trip, then checked in pyinfra's order.
      const asked = MANAGERS.map(([commands]) =>
        commands.map((command) => {
          const read = ctx.host.getFact(Which, { command });
          read.catch(() => {}); // a read never awaited must not be an unhandled rejection
          return read;
        })
      );
      let index = -1;
      for (const [i, reads] of asked.entries()) {
        for (const read of reads) {
          if (await read) {
            index = i;
            break;
          }
        }
        if (index >= 0) break;
      }
      if (index < 0) {
        throw new OperationError(
          "No system package manager found (no apk, apt, brew, dnf, pacman, pkg, xbps, yum or zypper found)",
        );
      }
      yield* MANAGERS[index][1].generate({ packages, present }, ctx);
    },
  },
);
