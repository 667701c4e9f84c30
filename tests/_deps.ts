/**
 * Third-party packages only the tests use, with versioned `npm:` specifiers, in one place
 * (as `src/deps.ts` for the tool).
 *
 * @module
 */
// Property tests (partitioner, merge).
export { default as fc } from "npm:fast-check@4.11.0";
// Reading emitted YAML back.
export { parseAllDocuments } from "npm:yaml@2.8.4";
// Kubernetes' own schemas, to validate emitted Jobs.
export { Job } from "npm:kubernetes-models@5.1.0/batch/v1";
// GitHub's workflow schema, to validate emitted workflows.
export { validateWorkflow } from "npm:@action-validator/core@0.6.0";
