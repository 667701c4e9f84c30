/**
 * pip operations: `pip.packages`, `pip.virtualenv` and `pip.venv`, with pyinfra's
 * arguments and commands.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../core/operation.ts";
import { raw, sh } from "../core/command.ts";
import { File } from "../facts/files.ts";
import { PipPackages } from "../facts/pip.ts";
import { directory } from "./files/directory.ts";
import { ensurePackages } from "./util/packaging.ts";

/** Options of {@linkcode virtualenv}. */
export interface VirtualenvOptions {
  /** The environment's folder. */
  path: string;
  /** The Python to use (`-p`, or `PYTHON -m venv`). @default {null} */
  python?: string | null;
  /** Create it with `python -m venv` rather than `virtualenv`. @default {false} */
  venv?: boolean;
  /** Give it access to the system's site-packages. @default {false} */
  sitePackages?: boolean;
  /** Copy files rather than symlink them. @default {false} */
  alwaysCopy?: boolean;
  /** Whether it should exist. @default {true} */
  present?: boolean;
}

async function* ensureVirtualenv(options: VirtualenvOptions, ctx: OperationContext) {
  const { path, python, venv = false, sitePackages = false, alwaysCopy = false } = options;
  const present = options.present ?? true;
  const exists = await ctx.host.getFact(File, { path: `${path}/bin/activate` });
  if (!present) {
    if (exists) yield* directory.generate({ path, present: false }, ctx);
    else ctx.noop(`virtualenv ${path} does not exist`);
    return;
  }
  if (exists) {
    ctx.noop(`virtualenv ${path} exists`);
    return;
  }
  const command = venv ? [python || "python", "-m", "venv"] : ["virtualenv"];
  if (python && !venv) command.push("-p", python);
  if (sitePackages) command.push("--system-site-packages");
  if (alwaysCopy) command.push(venv ? "--copies" : "--always-copy");
  command.push(path);
  yield sh`${command}`;
}

/**
 * Creates (or removes) a Python virtualenv with `virtualenv`.
 *
 * @example
 * ```ts ignore
 * pip.virtualenv({ path: "/srv/app/env", python: "python3" });
 * ```
 */
export const virtualenv: Operation<VirtualenvOptions> = defineOperation<VirtualenvOptions>(
  "pip.virtualenv",
  {
    argNames: ["path", "python", "venv", "sitePackages", "alwaysCopy", "present"],
    summary: "Add/remove Python virtualenvs.",
    generator: (args, ctx) => ensureVirtualenv(args, ctx),
  },
);

/** Options of {@linkcode venv}. */
export type VenvOptions = Omit<VirtualenvOptions, "venv">;

/**
 * Creates (or removes) a Python virtual environment with `python -m venv`.
 *
 * @example
 * ```ts ignore
 * pip.venv({ path: "/srv/app/venv", python: "python3" });
 * ```
 */
export const venv: Operation<VenvOptions> = defineOperation<VenvOptions>("pip.venv", {
  argNames: ["path", "python", "sitePackages", "alwaysCopy", "present"],
  summary: "Add/remove Python virtualenvs using the venv module.",
  generator: (args, ctx) => ensureVirtualenv({ ...args, venv: true }, ctx),
});

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Packages to ensure; pin a version as pip does: `"django==4.2"`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed packages given without a version. @default {false} */
  latest?: boolean;
  /** A requirements file on the host (`-r`); installed on every run (gate it with `_if`). @default {null} */
  requirements?: string | null;
  /** The pip command. @default {"pip"} */
  pip?: string;
  /** A virtualenv to create if needed and install into. @default {null} */
  virtualenv?: string | null;
  /** Options for creating that virtualenv (see `pip.virtualenv`). @default {null} */
  virtualenvKwargs?: Omit<VirtualenvOptions, "path"> | null;
  /** Extra arguments for `pip install`, as shell text. @default {null} */
  extraInstallArgs?: string | null;
}

/**
 * Installs or removes Python packages with pip, optionally in a virtualenv.
 *
 * @example
 * ```ts ignore
 * pip.packages({ packages: ["gunicorn==21.2.0"], virtualenv: "/srv/app/venv" });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "pip.packages",
  {
    argNames: [
      "packages",
      "present",
      "latest",
      "requirements",
      "pip",
      "virtualenv",
      "virtualenvKwargs",
      "extraInstallArgs",
    ],
    summary: "Install/remove/update pip packages.",
    async *generator(args, ctx) {
      const { present = true, requirements } = args;
      let pip = args.pip ?? "pip";
      if (args.virtualenv) {
        // pyinfra's snake_case keys (site_packages) are accepted too.
        const kwargs = Object.fromEntries(
          Object.entries(args.virtualenvKwargs ?? {}).map(([k, v]) => [
            k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
            v,
          ]),
        ) as Omit<VirtualenvOptions, "path">;
        yield* ensureVirtualenv({ ...kwargs, path: args.virtualenv }, ctx);
        pip = `${args.virtualenv.replace(/\/+$/, "")}/bin/${pip}`;
      }
      const install = [pip, "install", ...(args.extraInstallArgs ? [args.extraInstallArgs] : [])]
        .join(" ");
      const uninstall = `${pip} uninstall --yes`;
      if (requirements !== undefined && requirements !== null) {
        // The pip command is shell text: pyinfra passes `pip` and `extraInstallArgs` on
        // as they are (`extraInstallArgs: "--no-cache-dir --user"`).
        yield sh`${raw(present ? install : uninstall)} -r ${requirements}`;
      }
      const list = typeof args.packages === "string" ? [args.packages] : args.packages;
      if (!list || !list.length) return;
      const current = Object.fromEntries(
        Object.entries(await ctx.host.getFact(PipPackages, { pip })).map((
          [name, versions],
        ) => [name.toLowerCase(), versions]),
      );
      yield* ensurePackages(ctx, {
        packages: list.map((p) => p.toLowerCase()),
        current,
        present,
        installCommand: install,
        uninstallCommand: uninstall,
        upgradeCommand: `${install} --upgrade`,
        versionJoin: "==",
        latest: args.latest ?? false,
      });
    },
  },
);
