/**
 * Every third-party import of tsinfra, with full versioned `npm:` specifiers so that
 * `mod.ts` also works when imported by URL, where no import map applies.
 *
 * @module
 */
export { Command, CommanderError, Option } from "npm:commander@14.0.3";
export { Eta } from "npm:eta@3.5.0";
export { parse as parseYaml } from "npm:yaml@2.8.4";
export { init as initModuleLexer, parse as parseModule } from "npm:es-module-lexer@1.7.0";
