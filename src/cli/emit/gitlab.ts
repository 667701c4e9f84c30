/**
 * `tsinfra emit gitlab-ci`: a sharded run as a `.gitlab-ci.yml`. One job with
 * `parallel: N` runs a shard per instance (`--shard auto` reads `CI_NODE_INDEX` and
 * `CI_NODE_TOTAL`) and keeps its report as an artifact; a merge job that needs it runs
 * even when shards failed, and folds the reports.
 *
 * @module
 */
import { stringifyYaml } from "../../deps.ts";
import { shellQuote } from "../../core/quote.ts";
import type { ShardManifest } from "../../runner/manifest.ts";

/** Options of {@linkcode emitGitlabCi}. */
export interface GitlabCiOptions {
  /** The manifest's path relative to the repository root (`/` separators). */
  manifestPath: string;
  /** The jobs' image; none leaves the runner's default (or a shell runner). @default {undefined} */
  image?: string;
  /** The shell words that run tsinfra in the job. @default {"tsinfra"} */
  command?: string;
  /** A File-type CI/CD variable holding the SSH private key, passed as `--key`. @default {undefined} */
  sshKeySecret?: string;
  /** The prefix of the jobs' and stages' names: `<name>-shard`, `<name>-merge`. @default {"tsinfra"} */
  name?: string;
}

/** The most instances GitLab runs of one `parallel:` job. */
export const GITLAB_MAX_PARALLEL = 200;

/** The folder the jobs write reports to, relative to the checkout. */
const REPORTS = "reports";

/**
 * The pipeline of a sharded run as a plain object (the `.gitlab-ci.yml` structure).
 *
 * @param manifest The plan whose shards the pipeline runs (at most {@linkcode GITLAB_MAX_PARALLEL}).
 * @param options The manifest's path in the repository, image, command and names.
 * @returns The `.gitlab-ci.yml` content as data.
 * @example
 * ```ts
 * import { gitlabCiPipeline } from "./gitlab.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }, { index: 2, hosts: ["b"] }] };
 * // deno-lint-ignore no-explicit-any
 * const pipeline = gitlabCiPipeline(manifest as any, { manifestPath: "m.json" });
 * // deno-lint-ignore no-explicit-any
 * if ((pipeline["tsinfra-shard"] as any).parallel !== 2) throw new Error("parallel: 2");
 * ```
 */
export function gitlabCiPipeline(
  manifest: ShardManifest,
  options: GitlabCiOptions,
): Record<string, unknown> {
  const shards = manifest.shards.length;
  const name = options.name ?? "tsinfra";
  const command = options.command ?? "tsinfra";
  const manifestPath = shellQuote(options.manifestPath);
  const key = options.sshKeySecret ? ` --key "$${options.sshKeySecret}"` : "";
  // GitLab refuses `parallel: 1`: one shard runs as a plain job, named explicitly.
  const shardWord = shards > 1 ? "auto" : `1/${shards}`;
  const image = options.image ? { image: options.image } : {};
  return {
    stages: [`${name}-shard`, `${name}-merge`],
    [`${name}-shard`]: {
      stage: `${name}-shard`,
      ...image,
      ...(shards > 1 ? { parallel: shards } : {}),
      script: [
        `${command} --manifest ${manifestPath} --shard ${shardWord} --report-dir ${REPORTS}${key}`,
      ],
      // 3: controller or infrastructure failure; 137: killed. 1 (hosts failed) and 2 (bad
      // input) are final: a retry must not run the shard again.
      retry: { max: 2, exit_codes: [3, 137] },
      artifacts: { when: "always", paths: [`${REPORTS}/`], expire_in: "30 days" },
    },
    [`${name}-merge`]: {
      stage: `${name}-merge`,
      ...image,
      // Merge also when shards failed: the merged report says which hosts did and which never ran.
      when: "always",
      needs: [{ job: `${name}-shard`, artifacts: true }],
      script: [`${command} merge ${manifestPath} ${REPORTS} -o ${REPORTS}/merged.json`],
      artifacts: { when: "always", paths: [`${REPORTS}/merged.json`], expire_in: "30 days" },
    },
  };
}

/**
 * The `.gitlab-ci.yml` of a sharded run, with a header saying what it runs.
 *
 * @param manifest The plan whose shards the pipeline runs.
 * @param options The manifest's path in the repository, image, command and names.
 * @returns YAML text.
 * @example
 * ```ts
 * import { emitGitlabCi } from "./gitlab.ts";
 * const manifest = { runId: "r1", shards: [{ index: 1, hosts: ["a"] }, { index: 2, hosts: ["b"] }] };
 * // deno-lint-ignore no-explicit-any
 * const text = emitGitlabCi(manifest as any, { manifestPath: "m.json" });
 * if (!text.includes("parallel: 2")) throw new Error(text);
 * ```
 */
export function emitGitlabCi(manifest: ShardManifest, options: GitlabCiOptions): string {
  const header = [
    `tsinfra run ${manifest.runId}: ${manifest.shards.length} shard(s), then a merge job.`,
    `Commit ${options.manifestPath} and the files it names; the merged report is ${REPORTS}/merged.json.`,
    ...(options.sshKeySecret
      ? [`The SSH key comes from the File-type CI/CD variable ${options.sshKeySecret}.`]
      : []),
  ].map((line) => `# ${line}`).join("\n");
  return `${header}\n${
    stringifyYaml(gitlabCiPipeline(manifest, options), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
    })
  }`;
}
