/**
 * Ctrl-C while a deploy runs: the first asks the run to stop (no operation starts after
 * it, running commands are stopped where the connector can, a container started from
 * an image is removed, and the results say what ran on each host); a second quits at
 * once.
 *
 * @module
 */

let controller: AbortController | undefined;

/** A signal that the next Ctrl-C aborts (one run at a time). */
export function interruptSignal(): AbortSignal {
  controller = new AbortController();
  return controller.signal;
}

/** Handles a Ctrl-C: true when a running deploy was asked to stop, false to quit now. */
export function requestStop(): boolean {
  if (!controller || controller.signal.aborted) return false;
  controller.abort();
  return true;
}
