/**
 * Packaged deploys, as pyinfra's `@deploy`: a function of operations that a deploy
 * calls like an operation, with data defaults that the host's own data overrides.
 *
 * @module
 */
import { currentDeploy, type DeployContext, runInDeploy } from "./context.ts";

/** Options of {@linkcode deploy}. */
export interface DeployOptions {
  /** Data seen as `host.data` inside the deploy where the host has no value of its own. @default {{}} */
  dataDefaults?: Record<string, unknown>;
}

/**
 * Wraps a function of operations as a reusable deploy. Inside it, `host.data` has
 * `dataDefaults` under the host's data.
 *
 * @param name what the deploy does, for messages
 * @param fn the operations, as deploy code (it may be async and read facts)
 * @returns a function that runs `fn` for the current host, with the same arguments
 *
 * @example
 * ```ts ignore
 * import { apt, deploy, files, host } from "tsinfra";
 *
 * export const installNginx = deploy("Install nginx", (siteName: string) => {
 *   apt.packages({ packages: ["nginx"], _sudo: true });
 *   files.template({
 *     src: "./templates/site.eta",
 *     dest: `/etc/nginx/sites-enabled/${siteName}`,
 *     vars: { port: host.data.nginxPort },
 *     _sudo: true,
 *   });
 * }, { dataDefaults: { nginxPort: 80 } });
 *
 * // In deploy.ts:
 * installNginx("default");
 * ```
 */
export function deploy<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => R,
  options: DeployOptions = {},
): (...args: A) => R {
  const defaults = options.dataDefaults ?? {};
  return (...args: A): R => {
    const parent = currentDeploy(`deploy "${name}"`);
    const scope = parent.scope;
    const child: DeployContext = {
      addOperation: (operation, input) => parent.addOperation(operation, input),
      scope: {
        host: scope.host,
        inventory: scope.inventory,
        data: { ...defaults, ...scope.data },
        include: (path, data) => scope.include(path, data),
      },
    };
    return runInDeploy(child, () => fn(...args));
  };
}
