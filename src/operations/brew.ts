/**
 * Homebrew operations (macOS, Linux): `brew.packages`, `brew.casks`, `brew.tap`,
 * `brew.update`, `brew.upgrade` and `brew.caskUpgrade`, with pyinfra's arguments and
 * commands.
 *
 * @module
 */
import { defineOperation, type Operation, type OperationContext } from "../core/operation.ts";
import { sh, type StringCommand } from "../core/command.ts";
import { BrewCasks, BrewPackages, BrewTaps, BrewVersion, newCaskCli } from "../facts/brew.ts";
import { ensurePackages } from "./util/packaging.ts";

/**
 * Updates brew and its formulae lists. Not idempotent.
 *
 * @example
 * ```ts ignore
 * brew.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = defineOperation<Record<string, never>>(
  "brew.update",
  {
    argNames: [],
    idempotent: false,
    summary: "Updates brew repositories.",
    async *generator() {
      yield sh`brew update`;
    },
  },
);

/**
 * Upgrades every formula. Not idempotent.
 *
 * @example
 * ```ts ignore
 * brew.upgrade({});
 * ```
 */
export const upgrade: Operation<Record<string, never>> = defineOperation<Record<string, never>>(
  "brew.upgrade",
  {
    argNames: [],
    idempotent: false,
    summary: "Upgrade all brew packages.",
    async *generator() {
      yield sh`brew upgrade`;
    },
  },
);

/** Options of {@linkcode packages}. */
export interface PackagesOptions {
  /** Formulae to ensure; pin a version with `name@version`. @default {null} */
  packages?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed formulae given without a version. @default {false} */
  latest?: boolean;
  /** Run `brew update` first. @default {false} */
  update?: boolean;
  /** Run `brew upgrade` first. @default {false} */
  upgrade?: boolean;
}

/**
 * Installs or removes brew formulae.
 *
 * @example
 * ```ts ignore
 * brew.packages({ packages: ["git", "jq"], update: true });
 * ```
 */
export const packages: Operation<PackagesOptions> = defineOperation<PackagesOptions>(
  "brew.packages",
  {
    argNames: ["packages", "present", "latest", "update", "upgrade"],
    summary: "Add/remove/update brew packages.",
    async *generator(args, ctx) {
      if (args.update) yield sh`brew update`;
      if (args.upgrade) yield sh`brew upgrade`;
      yield* ensurePackages(ctx, {
        packages: args.packages,
        current: await ctx.host.getFact(BrewPackages),
        present: args.present ?? true,
        installCommand: "brew install",
        uninstallCommand: "brew uninstall",
        upgradeCommand: "brew upgrade",
        versionJoin: "@",
        latest: args.latest ?? false,
      });
    },
  },
);

/** `brew cask X` (brew < 2.6) or `brew X --cask`. */
async function caskCommand(action: string, ctx: OperationContext): Promise<StringCommand> {
  return newCaskCli(await ctx.host.getFact(BrewVersion))
    ? sh`brew ${action} --cask`
    : sh`brew cask ${action}`;
}

/**
 * Upgrades every cask. Not idempotent.
 *
 * @example
 * ```ts ignore
 * brew.caskUpgrade({});
 * ```
 */
export const caskUpgrade: Operation<Record<string, never>> = defineOperation<
  Record<string, never>
>("brew.caskUpgrade", {
  argNames: [],
  idempotent: false,
  summary: "Upgrades all brew casks.",
  async *generator(_, ctx) {
    yield await caskCommand("upgrade", ctx);
  },
});

/** Options of {@linkcode casks}. */
export interface CasksOptions {
  /** Casks to ensure; pin a version with `name@version`. @default {null} */
  casks?: string | string[] | null;
  /** Whether they should be installed. @default {true} */
  present?: boolean;
  /** Upgrade installed casks given without a version. @default {false} */
  latest?: boolean;
  /** Upgrade every cask first. @default {false} */
  upgrade?: boolean;
}

/**
 * Installs or removes brew casks.
 *
 * @example
 * ```ts ignore
 * brew.casks({ casks: ["firefox"] });
 * ```
 */
export const casks: Operation<CasksOptions> = defineOperation<CasksOptions>("brew.casks", {
  argNames: ["casks", "present", "latest", "upgrade"],
  summary: "Add/remove/update brew casks.",
  async *generator(args, ctx) {
    if (args.upgrade) yield await caskCommand("upgrade", ctx);
    yield* ensurePackages(ctx, {
      packages: args.casks,
      current: await ctx.host.getFact(BrewCasks),
      present: args.present ?? true,
      installCommand: await caskCommand("install", ctx),
      uninstallCommand: await caskCommand("uninstall", ctx),
      upgradeCommand: await caskCommand("upgrade", ctx),
      versionJoin: "@",
      latest: args.latest ?? false,
    });
  },
});

/** Options of {@linkcode tap}. */
export interface TapOptions {
  /** The tap, `user/repo`. @default {null} */
  src?: string | null;
  /** Whether it should be tapped. @default {true} */
  present?: boolean;
  /** A custom URL for it (its path gives `src` when `src` is absent). @default {null} */
  url?: string | null;
}

/**
 * Adds or removes a brew tap.
 *
 * @example
 * ```ts ignore
 * brew.tap({ src: "homebrew/cask-fonts" });
 * ```
 */
export const tap: Operation<TapOptions> = defineOperation<TapOptions>("brew.tap", {
  argNames: ["src", "present", "url"],
  summary: "Add/remove brew taps.",
  async *generator({ src, present = true, url }, ctx) {
    if (!src && !url) {
      ctx.noop("no tap was specified");
      return;
    }
    const name = src || new URL(url!).pathname.replace(/^\/+|\/+$/g, "");
    if (name.split("/").length !== 2) {
      ctx.noop(`src '${name}' doesn't have two components.`);
      return;
    }
    const tapped = (await ctx.host.getFact(BrewTaps)).includes(name);
    if (present && tapped) ctx.noop(`tap ${name} already exists`);
    else if (tapped) yield sh`brew untap ${name}`;
    else if (!present) ctx.noop(`tap ${name} does not exist`);
    else yield url ? sh`brew tap ${name} ${url}` : sh`brew tap ${name}`;
  },
});
