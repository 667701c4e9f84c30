/**
 * `tsinfra emit k8s-job|gitlab-ci|github-actions --manifest M [options]`: prints the
 * definitions that run a planned sharded run on an engine the user already operates:
 * a Kubernetes Indexed Job with its merge Job, a GitLab pipeline, or a GitHub Actions
 * workflow. Each runs one shard per index, keeps the reports and merges them.
 *
 * @module
 */
import * as nodePath from "node:path";
import { ArgumentError, EXIT, TsinfraError } from "../core/errors.ts";
import { readManifest, type ShardManifest } from "../runner/manifest.ts";
import { emitK8sJob } from "./emit/k8s.ts";
import { emitGitlabCi, GITLAB_MAX_PARALLEL } from "./emit/gitlab.ts";
import { emitGithubActions, GITHUB_MAX_MATRIX } from "./emit/github.ts";

/** The engines `tsinfra emit` writes definitions for. */
export const EMIT_TARGETS = ["k8s-job", "gitlab-ci", "github-actions"] as const;

/** One of {@linkcode EMIT_TARGETS}. */
export type EmitTarget = typeof EMIT_TARGETS[number];

/** The arguments of `tsinfra emit`, parsed. */
export interface EmitArguments {
  target: EmitTarget;
  /** The manifest file as given. */
  manifest: string;
  image?: string;
  command?: string;
  sshKeySecret?: string;
  reportsClaim?: string;
  name?: string;
}

/** The text of `tsinfra emit --help`. */
export const EMIT_USAGE =
  `Usage: tsinfra emit k8s-job|gitlab-ci|github-actions --manifest FILE [options]

Print the definitions that run a planned sharded run (tsinfra plan ... -o FILE):
  k8s-job          an Indexed Job (one pod per shard, retries per index) and a merge Job
  gitlab-ci        a .gitlab-ci.yml: a parallel: N shard job and a merge job
  github-actions   a workflow: a matrix of N shard jobs and a merge job

Run it from the repository root: the jobs find the manifest at the same relative path.

Options:
  --manifest FILE         the manifest written by tsinfra plan (required)
  --image IMAGE           container image with tsinfra and the project (required for k8s-job,
                          where the project is at /deploy)
  --command WORDS         how the jobs run tsinfra (default: tsinfra)
  --ssh-key-secret NAME   k8s-job: Secret with key ssh-privatekey (default: tsinfra-ssh-key);
                          gitlab-ci: File-type CI/CD variable; github-actions: repository secret
  --reports-claim NAME    k8s-job: PersistentVolumeClaim for the reports (default: tsinfra-reports)
  --name NAME             k8s-job: the Job's name (default: tsinfra-<run id>);
                          CI: the prefix of job and artifact names (default: tsinfra)
`;

const FLAGS: Record<string, keyof Omit<EmitArguments, "target">> = {
  "--manifest": "manifest",
  "--image": "image",
  "--command": "command",
  "--ssh-key-secret": "sshKeySecret",
  "--reports-claim": "reportsClaim",
  "--name": "name",
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CI_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Parses the words after `tsinfra emit`.
 *
 * @param argv The words after `emit`.
 * @returns The target and options, or `"help"` for `--help`.
 * @throws {ArgumentError} naming the argument that is missing, unknown or wrong
 * @example
 * ```ts
 * import { parseEmitArguments } from "./emit.ts";
 * const parsed = parseEmitArguments(["gitlab-ci", "--manifest=m.json"]);
 * if (parsed === "help" || parsed.manifest !== "m.json") throw new Error();
 * ```
 */
export function parseEmitArguments(argv: string[]): EmitArguments | "help" {
  const values: Partial<Omit<EmitArguments, "target">> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (!arg.startsWith("-")) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!Object.hasOwn(FLAGS, flag)) {
      throw new ArgumentError(
        `emit: unknown option ${flag}: the options are ${Object.keys(FLAGS).join(", ")}`,
      );
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) {
      throw new ArgumentError(`emit: ${flag} needs a value`);
    }
    values[FLAGS[flag]] = value;
  }
  if (words.length === 0) {
    throw new ArgumentError(`emit: name a target: ${EMIT_TARGETS.join(", ")}`);
  }
  const [target, ...extra] = words;
  if (!(EMIT_TARGETS as readonly string[]).includes(target)) {
    throw new ArgumentError(
      `emit: unknown target ${target}: the targets are ${EMIT_TARGETS.join(", ")}`,
    );
  }
  if (extra.length > 0) throw new ArgumentError(`emit: unexpected argument ${extra[0]}`);
  if (values.manifest === undefined) {
    throw new ArgumentError("emit: --manifest is required: the file written by tsinfra plan -o");
  }
  return { ...values, target: target as EmitTarget, manifest: values.manifest };
}

/** The manifest's path as the jobs see it: relative to the current folder, `/`-separated. */
function manifestPathInJobs(file: string, cwd: string): string {
  const relative = nodePath.relative(cwd, nodePath.resolve(cwd, file));
  const outside = relative === ".." || relative.startsWith(`..${nodePath.sep}`);
  if (outside || nodePath.isAbsolute(relative)) {
    throw new ArgumentError(
      `--manifest ${file}: is outside the current folder; run emit from the repository root, where the jobs find the manifest at the same relative path`,
    );
  }
  return relative.split(nodePath.sep).join("/");
}

function check(value: string | undefined, pattern: RegExp, max: number, what: string) {
  if (value !== undefined && (!pattern.test(value) || value.length > max)) {
    throw new ArgumentError(`${what}: current value is ${JSON.stringify(value)}`);
  }
}

/**
 * The definitions `tsinfra emit` prints, for a parsed command line and a read manifest.
 *
 * @param args The parsed arguments.
 * @param manifest The manifest `args.manifest` names.
 * @param cwd The folder the jobs' paths are relative to. @default {Deno.cwd()}
 * @returns YAML text.
 * @throws {ArgumentError} for an option the target cannot use
 */
export function emitText(args: EmitArguments, manifest: ShardManifest, cwd = Deno.cwd()): string {
  const manifestPath = manifestPathInJobs(args.manifest, cwd);
  const shards = manifest.shards.length;
  if (args.target === "k8s-job") {
    if (!args.image) {
      throw new ArgumentError(
        "emit k8s-job: --image is required: an image with tsinfra and the project at /deploy",
      );
    }
    check(
      args.name,
      DNS_LABEL,
      50,
      "--name must be a Kubernetes name (lower-case letters, digits and -, at most 50 characters)",
    );
    check(args.sshKeySecret, DNS_SUBDOMAIN, 253, "--ssh-key-secret must be a Secret's name");
    check(args.reportsClaim, DNS_SUBDOMAIN, 253, "--reports-claim must be a claim's name");
    return emitK8sJob(manifest, { ...args, image: args.image, manifestPath });
  }
  if (args.reportsClaim !== undefined) {
    throw new ArgumentError(`emit ${args.target}: --reports-claim applies to k8s-job only`);
  }
  check(args.name, CI_NAME, 100, "--name must be letters, digits, _, . and -");
  check(
    args.sshKeySecret,
    VARIABLE_NAME,
    255,
    "--ssh-key-secret must be a variable name (letters, digits and _)",
  );
  const max = args.target === "gitlab-ci" ? GITLAB_MAX_PARALLEL : GITHUB_MAX_MATRIX;
  if (shards > max) {
    throw new ArgumentError(
      `--manifest ${args.manifest}: has ${shards} shards and ${args.target} runs at most ${max} jobs of one definition: plan again with --shards ${max} or fewer`,
    );
  }
  return args.target === "gitlab-ci"
    ? emitGitlabCi(manifest, { ...args, manifestPath })
    : emitGithubActions(manifest, { ...args, manifestPath });
}

function writeAll(text: string): void {
  const bytes = new TextEncoder().encode(text);
  for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
}

/**
 * `tsinfra emit ...`: prints the definitions to stdout.
 *
 * @param argv The words after `emit`.
 * @returns The exit status: 0, or 2 for bad input (with one message on stderr).
 */
export async function emitVerb(argv: string[]): Promise<number> {
  try {
    const args = parseEmitArguments(argv);
    if (args === "help") {
      writeAll(EMIT_USAGE);
      return EXIT.SUCCESS;
    }
    const manifest = await readManifest(args.manifest);
    writeAll(emitText(args, manifest));
    return EXIT.SUCCESS;
  } catch (error) {
    if (!(error instanceof TsinfraError)) throw error;
    Deno.stderr.writeSync(new TextEncoder().encode(`tsinfra: ${error.message}\n`));
    return error.exitCode;
  }
}
