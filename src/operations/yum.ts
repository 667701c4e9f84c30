/**
 * yum operations: `yum.packages`, `yum.update`, `yum.rpm`, `yum.repo` and `yum.key`,
 * with pyinfra's arguments and commands (package names are case-sensitive).
 *
 * @module
 */
import type { Operation } from "../core/operation.ts";
import type {
  RpmFileOptions,
  RpmKeyOptions,
  RpmPackagesOptions,
  RpmRepoOptions,
} from "./util/rpm.ts";
import { yumFamily } from "./util/yum_family.ts";

const yum = yumFamily("yum");

/** Options of {@linkcode packages}. */
export type PackagesOptions = RpmPackagesOptions;
/** Options of {@linkcode repo}. */
export type RepoOptions = RpmRepoOptions;
/** Options of {@linkcode rpm}. */
export type RpmOptions = RpmFileOptions;
/** Options of {@linkcode key}. */
export type KeyOptions = RpmKeyOptions;

/**
 * Installs or removes yum packages; a name provided by another package counts as
 * installed when that package is.
 *
 * @example
 * ```ts ignore
 * yum.packages({ packages: ["nginx", "git"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = yum.packages;

/**
 * Updates every yum package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * yum.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = yum.update;

/**
 * Installs or removes a `.rpm` file or URL.
 *
 * @example
 * ```ts ignore
 * yum.rpm({ src: "https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm" });
 * ```
 */
export const rpm: Operation<RpmOptions> = yum.rpm;

/**
 * Writes (or downloads, or removes) a `.repo` file.
 *
 * @example
 * ```ts ignore
 * yum.repo({ src: "internal", baseurl: "https://repo.internal/el9/" });
 * ```
 */
export const repo: Operation<RepoOptions> = yum.repo;

/**
 * Imports a GPG key into rpm. Not idempotent.
 *
 * @example
 * ```ts ignore
 * yum.key({ src: "https://repo.internal/key.asc" });
 * ```
 */
export const key: Operation<KeyOptions> = yum.key;
