/** tsinfra's version, printed by `tsinfra --version`. */
export const VERSION = "0.1.0";

/**
 * Marks a copy of the library: the loader reads this line from `src/version.ts` of a
 * served or checked-out copy that a deploy imports, to bind it to the running engine.
 */
export const LIBRARY = "tsinfra";

/** Where releases of this version are served, for `tsinfra init` in a compiled binary. */
export const RELEASE_URL = `https://raw.githubusercontent.com/tsinfra/tsinfra/v${VERSION}/`;
