/**
 * `tsinfra emit github-actions`: a sharded run as a GitHub Actions workflow. A matrix
 * job runs a shard per matrix value (`--shard K/N`) and uploads its report; a merge job
 * that needs it runs even when shards failed, downloads every report and folds them.
 *
 * @module
 */
import { stringifyYaml } from "../../deps.ts";
import { shellQuote } from "../../core/quote.ts";
import type { ShardManifest } from "../../runner/manifest.ts";

/** Options of {@linkcode emitGithubActions}. */
export interface GithubActionsOptions {
  /** The manifest's path relative to the repository root (`/` separators). */
  manifestPath: string;
  /** A container image for the jobs; without one the runner installs Deno and tsinfra. @default {undefined} */
  image?: string;
  /** The shell words that run tsinfra in the job. @default {"tsinfra"} */
  command?: string;
  /** A repository secret holding the SSH private key, passed as `--key`. @default {undefined} */
  sshKeySecret?: string;
  /** The workflow's name and the prefix of its artifacts. @default {"tsinfra"} */
  name?: string;
  /** Where tsinfra is installed from when there is no image. @default {the release of the manifest's tsinfra version} */
  installUrl?: string;
}

/** The most jobs GitHub Actions makes of one matrix. */
export const GITHUB_MAX_MATRIX = 256;

/** The folder the jobs write reports to, relative to the checkout. */
const REPORTS = "reports";

/** The expression `${{ text }}`, written without tripping template-literal lint. */
function expr(text: string): string {
  return "${{ " + text + " }}";
}

/**
 * The workflow of a sharded run as a plain object.
 *
 * @param manifest The plan whose shards the workflow runs (at most {@linkcode GITHUB_MAX_MATRIX}).
 * @param options The manifest's path in the repository, image, command and names.
 * @returns The workflow as data.
 * @example
 * ```ts
 * import { githubWorkflow } from "./github.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }, { index: 2, hosts: ["b"] }] };
 * // deno-lint-ignore no-explicit-any
 * const workflow = githubWorkflow(manifest as any, { manifestPath: "m.json" }) as any;
 * if (workflow.jobs.shard.strategy.matrix.shard.length !== 2) throw new Error("two shards");
 * ```
 */
export function githubWorkflow(
  manifest: ShardManifest,
  options: GithubActionsOptions,
): Record<string, unknown> {
  const shards = manifest.shards.length;
  const name = options.name ?? "tsinfra";
  const command = options.command ?? "tsinfra";
  const manifestPath = shellQuote(options.manifestPath);
  const artifact = `${name}-report-${manifest.runId}`;
  const container = options.image ? { container: options.image } : {};
  const setup: Record<string, unknown>[] = [{ uses: "actions/checkout@v4" }];
  if (!options.image) {
    setup.push({ uses: "denoland/setup-deno@v2", with: { "deno-version": "v2.x" } });
    if (command === "tsinfra") {
      // The version that planned the run, so that every shard runs the same tsinfra.
      const url = options.installUrl ??
        `https://raw.githubusercontent.com/tsinfra/tsinfra/v${manifest.tsinfraVersion}/cli.ts`;
      setup.push({
        name: "Install tsinfra",
        run: `deno install -g -A -n tsinfra ${shellQuote(url)}`,
      });
    }
  }
  let key = "";
  const shardSteps: Record<string, unknown>[] = [];
  if (options.sshKeySecret) {
    key = ` --key "$HOME/.ssh/tsinfra_key"`;
    shardSteps.push({
      name: "SSH key",
      env: { SSH_KEY: expr(`secrets.${options.sshKeySecret}`) },
      run: [
        `install -d -m 700 "$HOME/.ssh"`,
        `printf '%s\\n' "$SSH_KEY" > "$HOME/.ssh/tsinfra_key"`,
        `chmod 600 "$HOME/.ssh/tsinfra_key"`,
      ].join("\n"),
    });
  }
  return {
    name: `${name} ${manifest.runId}`,
    on: { workflow_dispatch: {} },
    jobs: {
      shard: {
        name: `shard ${expr("matrix.shard")}/${shards}`,
        "runs-on": "ubuntu-latest",
        ...container,
        strategy: {
          // Every shard runs to its end; the merge says which hosts failed or never ran.
          "fail-fast": false,
          matrix: { shard: Array.from({ length: shards }, (_, i) => i + 1) },
        },
        steps: [
          ...setup,
          ...shardSteps,
          {
            name: "Run the shard",
            // A re-run of a failed job writes the next attempt; the merge keeps the highest.
            env: { TSINFRA_ATTEMPT: expr("github.run_attempt") },
            run: `${command} --manifest ${manifestPath} --shard ${
              expr("matrix.shard")
            }/${shards} --report-dir ${REPORTS}${key}`,
          },
          {
            name: "Keep the report",
            uses: "actions/upload-artifact@v4",
            if: "always()",
            with: {
              name: `${artifact}-${expr("matrix.shard")}-a${expr("github.run_attempt")}`,
              path: `${REPORTS}/`,
              "if-no-files-found": "warn",
            },
          },
        ],
      },
      merge: {
        needs: "shard",
        // Merge also when shards failed: the merged report says which hosts did and which never ran.
        if: "always()",
        "runs-on": "ubuntu-latest",
        ...container,
        steps: [
          ...setup,
          {
            uses: "actions/download-artifact@v4",
            with: { pattern: `${artifact}-*`, path: REPORTS, "merge-multiple": true },
          },
          {
            name: "Merge the reports",
            run: `${command} merge ${manifestPath} ${REPORTS} -o ${REPORTS}/merged.json`,
          },
          {
            name: "Keep the merged report",
            uses: "actions/upload-artifact@v4",
            if: "always()",
            with: { name: `${name}-merged-${manifest.runId}`, path: `${REPORTS}/merged.json` },
          },
        ],
      },
    },
  };
}

/**
 * The workflow of a sharded run as YAML, with a header saying what it runs.
 *
 * @param manifest The plan whose shards the workflow runs.
 * @param options The manifest's path in the repository, image, command and names.
 * @returns YAML text for `.github/workflows/`.
 * @example
 * ```ts
 * import { emitGithubActions } from "./github.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }] };
 * // deno-lint-ignore no-explicit-any
 * const text = emitGithubActions(manifest as any, { manifestPath: "m.json" });
 * if (!text.includes("fail-fast: false")) throw new Error(text);
 * ```
 */
export function emitGithubActions(manifest: ShardManifest, options: GithubActionsOptions): string {
  const header = [
    `tsinfra run ${manifest.runId}: ${manifest.shards.length} shard(s) as a matrix, then a merge job.`,
    `Save as .github/workflows/tsinfra.yml; commit ${options.manifestPath} and the files it names.`,
    ...(options.sshKeySecret
      ? [`The SSH key comes from the repository secret ${options.sshKeySecret}.`]
      : []),
  ].map((line) => `# ${line}`).join("\n");
  return `${header}\n${
    stringifyYaml(githubWorkflow(manifest, options), { lineWidth: 0, aliasDuplicateObjects: false })
  }`;
}
