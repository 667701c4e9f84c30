/**
 * Every third-party import of tsinfra, with full versioned `npm:` specifiers so that
 * `mod.ts` also works when imported by URL, where no import map applies.
 *
 * @module
 */
export { Command, CommanderError, Option } from "npm:commander@14.0.3";
export { Eta } from "npm:eta@3.5.0";
export { parse as parseYaml } from "npm:yaml@2.8.4";
export { stringify as stringifyYaml } from "npm:yaml@2.8.4";
export { init as initModuleLexer, parse as parseModule } from "npm:es-module-lexer@1.7.0";
// ssh2 ships no types of its own; DefinitelyTyped's describe it.
// @ts-types="npm:@types/ssh2@1.15.5"
export { Client as SshClient, utils as sshUtils } from "npm:ssh2@1.17.0";
// @ts-types="npm:@types/ssh2@1.15.5"
export type {
  AnyAuthMethod,
  AuthenticationType,
  ClientChannel,
  ConnectConfig,
  ServerHostKeyAlgorithm,
  SFTPWrapper,
} from "npm:ssh2@1.17.0";
// Type stripping for user TypeScript: keeps line numbers and drops type-only imports,
// so the loader imports plain JavaScript whether or not the runtime transpiles data: URLs.
export { transform as sucraseTransform } from "npm:sucrase@3.35.1";
// Myers' diff for `--diff` (fast on large files; `-` lines before `+` lines, as diff -u).
export { structuredPatch } from "npm:diff@9.0.0";
// Jinja2-compatible templates (`.j2`, `.jinja`, `.jinja2`) for files.template.
// @ts-types="npm:@types/nunjucks@3.2.6"
export { default as nunjucks } from "npm:nunjucks@3.2.4";
// Its AST transformer, which nunjucks' index leaves out; needed to compile with our compiler.
export { default as nunjucksTransformer } from "npm:nunjucks@3.2.4/src/transformer.js";
// Schema validation of shard reports and manifests read back from disk (`tsinfra merge`).
export { z } from "npm:zod@4.6.7";
