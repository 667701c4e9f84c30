/**
 * `tsinfra init [DIR]`: a starter project that type-checks in an editor and runs as it
 * is. It holds a deploy, an inventory, group data, a template, a README and a deno.json
 * whose import map points `tsinfra` at the library this command came from.
 *
 * @module
 */
import * as nodePath from "node:path";
import { ArgumentError, EXIT } from "../core/errors.ts";
import { LIBRARY_ROOT } from "../loader/library_imports.ts";
import { RELEASE_URL, VERSION } from "../version.ts";
import { libraryImportMap } from "./import_map.ts";

/** Options of {@linkcode initProject}. */
export interface InitOptions {
  /** Where the library is, as the project should import it (a URL or a path). @default {the running copy, or this version's release URL in a compiled binary} */
  library?: string;
  /** Replace files that already exist. @default {false} */
  force?: boolean;
}

/** A compiled binary runs from a temporary folder that the project cannot point at. */
function isCompiledBinary(): boolean {
  return /\/deno-compile-[^/]+\//.test(LIBRARY_ROOT.href);
}

/** The library base as the project at `dir` should write it: relative for a checkout. */
function libraryBase(dir: string, library?: string): string {
  let base = library ?? (isCompiledBinary() ? RELEASE_URL : LIBRARY_ROOT.href);
  if (!base.endsWith("/")) base = base.replace(/\/mod\.ts$/, "") + "/";
  if (/^https?:\/\//.test(base)) return base;
  const path = base.startsWith("file://") ? decodeURIComponent(new URL(base).pathname) : base;
  const relative = nodePath.relative(dir, nodePath.resolve(path)) || ".";
  return (relative.startsWith(".") ? relative : `./${relative}`) + "/";
}

const DEPLOY = `/**
 * The deploy: what every host should look like. Run it with
 *   tsinfra inventory.ts deploy.ts --dry   (show what would change)
 *   tsinfra inventory.ts deploy.ts         (show, ask, then apply)
 * A second run changes nothing.
 */
import { files, host, server } from "tsinfra";
import { Hostname } from "tsinfra/facts/server";

const appDir = String(host.data.appDir);
const hostname = await host.getFact(Hostname);

files.directory({ path: appDir, mode: 755 });
const motd = files.template({
  src: "./templates/motd.eta", // relative to this file
  dest: \`\${appDir}/motd\`,
  vars: { hostname, team: host.data.team },
});
files.line({ path: \`\${appDir}/hosts\`, line: \`127.0.0.1 \${host.name}\` });

// Runs only when the template changed.
server.shell({
  name: "Note the change",
  commands: [\`date > \${appDir}/changed-at\`],
  _if: motd.didChange,
});
`;

const INVENTORY = `/**
 * The inventory: each exported array is a group of hosts. A host is a name, or
 * [name, data]. Names: "@local", "web1.example.com" (SSH), "@docker/debian:12",
 * "@chroot/srv/root", ...
 */
export const local = ["@local"];

// export const web = [
//   ["web1.example.com", { sshUser: "deploy" }],
//   "web2.example.com",
// ];
`;

const GROUP_DATA = `/** Data every host sees as host.data (group_data/<group>.ts for one group). */
export const appDir = "/tmp/tsinfra-starter";
export const team = "ops";
`;

const TEMPLATE = `Welcome to <%= it.hostname %>.
This host is looked after by <%= it.team %>, with tsinfra.
`;

function readme(base: string): string {
  return `# A tsinfra project

\`\`\`sh
tsinfra inventory.ts deploy.ts --dry   # what would change
tsinfra inventory.ts deploy.ts         # show, ask, apply
tsinfra inventory.ts deploy.ts -y      # again: nothing changes
deno check deploy.ts                   # type-check, as your editor does
\`\`\`

- \`deploy.ts\`: the operations every host runs (\`tsinfra help files\` lists a module's).
- \`inventory.ts\`: the hosts, in groups. \`tsinfra inventory.ts debug-inventory\` shows them.
- \`group_data/all.ts\`: data every host sees as \`host.data\`.
- \`templates/\`: Eta templates (\`<%= it.name %>\`).
- \`deno.json\`: maps \`tsinfra\` to the library (${base}), for your editor and
  \`deno check\`. The \`tsinfra\` command binds the same imports to itself.

Made by \`tsinfra init\` (tsinfra ${VERSION}).
`;
}

/**
 * Writes a starter project into `dir`.
 *
 * @returns the files written, relative to `dir`
 * @throws {ArgumentError} when a file exists and `force` is not set
 */
export async function initProject(dir: string, options: InitOptions = {}): Promise<string[]> {
  const base = libraryBase(nodePath.resolve(dir), options.library);
  const files: Record<string, string> = {
    "deploy.ts": DEPLOY,
    "inventory.ts": INVENTORY,
    "group_data/all.ts": GROUP_DATA,
    "templates/motd.eta": TEMPLATE,
    "README.md": readme(base),
    "deno.json": JSON.stringify({ imports: libraryImportMap(base) }, null, 2) + "\n",
  };
  if (!options.force) {
    const existing = Object.keys(files).filter((f) => exists(nodePath.join(dir, f)));
    if (existing.length) {
      throw new ArgumentError(
        `tsinfra init: ${dir} already has ${existing.join(", ")}; use --force to replace them`,
      );
    }
  }
  for (const [name, text] of Object.entries(files)) {
    const path = nodePath.join(dir, name);
    await Deno.mkdir(nodePath.dirname(path), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return Object.keys(files);
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `tsinfra init [DIR] [--library URL] [--force]`: returns the exit status. */
export async function initVerb(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith("--"));
  const libraryAt = argv.indexOf("--library");
  const library = libraryAt >= 0 ? argv[libraryAt + 1] : undefined;
  if (libraryAt >= 0 && !library) throw new ArgumentError("--library needs a URL or a path");
  const dir = words.filter((w) => w !== library)[0] ?? ".";
  const written = await initProject(dir, { library, force: argv.includes("--force") });
  const where = dir === "." ? "" : `cd ${dir} && `;
  console.log(`Wrote ${written.join(", ")} in ${nodePath.resolve(dir)}.\n`);
  console.log(`Next: ${where}tsinfra inventory.ts deploy.ts --dry`);
  return EXIT.SUCCESS;
}
