/**
 * dnf operations: `dnf.packages`, `dnf.update`, `dnf.rpm`, `dnf.repo` and `dnf.key`,
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

const dnf = yumFamily("dnf");

/** Options of {@linkcode packages}. */
export type PackagesOptions = RpmPackagesOptions;
/** Options of {@linkcode repo}. */
export type RepoOptions = RpmRepoOptions;
/** Options of {@linkcode rpm}. */
export type RpmOptions = RpmFileOptions;
/** Options of {@linkcode key}. */
export type KeyOptions = RpmKeyOptions;

/**
 * Installs or removes dnf packages; a name provided by another package counts as
 * installed when that package is.
 *
 * @example
 * ```ts ignore
 * dnf.packages({ packages: ["nginx", "git"] });
 * ```
 */
export const packages: Operation<PackagesOptions> = dnf.packages;

/**
 * Updates every dnf package. Not idempotent.
 *
 * @example
 * ```ts ignore
 * dnf.update({});
 * ```
 */
export const update: Operation<Record<string, never>> = dnf.update;

/**
 * Installs or removes a `.rpm` file or URL.
 *
 * @example
 * ```ts ignore
 * dnf.rpm({ src: "https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm" });
 * ```
 */
export const rpm: Operation<RpmOptions> = dnf.rpm;

/**
 * Writes (or downloads, or removes) a `.repo` file.
 *
 * @example
 * ```ts ignore
 * dnf.repo({ src: "internal", baseurl: "https://repo.internal/el9/" });
 * ```
 */
export const repo: Operation<RepoOptions> = dnf.repo;

/**
 * Imports a GPG key into rpm. Not idempotent.
 *
 * @example
 * ```ts ignore
 * dnf.key({ src: "https://repo.internal/key.asc" });
 * ```
 */
export const key: Operation<KeyOptions> = dnf.key;
