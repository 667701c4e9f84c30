/**
 * Draws engine events the way pyinfra prints a run: phases, one line per host per
 * operation, a progress line on a TTY, and more detail at each `-v`.
 *
 * @module
 */
import type { EngineEvent } from "../core/events.ts";
import { type Style, styleFor } from "./style.ts";

/** Where and how much to print. */
export interface OutputOptions {
  verbosity: number;
  /** Write human output here (stderr in --json mode, else stdout). */
  write: (text: string) => void;
  /** Progress redraws go to a terminal only. */
  progress: boolean;
  colours: boolean;
  /** Command output is printed as it comes (`exec`, `-vvv`): not again afterwards. */
  streaming?: boolean;
  /** `--quiet`: no phases, connections or unchanged operations; changes and errors only. */
  quiet?: boolean;
}

const PHASE_TEXT: Record<string, string> = {
  config: "Loading config...",
  inventory: "Loading inventory...",
  connect: "Connecting to hosts...",
  prepare: "Preparing operations...",
  execute: "Beginning operation run...",
};

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}

/** `text` cut to `width` characters (code points), with an ellipsis when cut. */
export function cutToWidth(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return chars.slice(0, Math.max(0, width - 1)).join("") + "…";
}

/** What `--quiet` leaves out. */
function quietSkips(event: EngineEvent): boolean {
  return event.type === "phase" || event.type === "connected" ||
    event.type === "operationStart" ||
    (event.type === "operationResult" &&
      (event.status === "noChange" || event.status === "skipped"));
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Renders engine events as text. */
export class Output {
  readonly style: Style;
  #options: OutputOptions;
  #running = new Map<string, { name: string; waiting: Set<string> }>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  #progressShown = false;

  constructor(options: OutputOptions) {
    this.#options = options;
    this.style = styleFor(options.colours);
  }

  /** Prints a line, clearing the progress line first. */
  line(text = ""): void {
    this.#clearProgress();
    this.#options.write(text + "\n");
    this.#drawProgress();
  }

  heading(text: string): void {
    this.line(this.style.bold(`--> ${text}`));
  }

  /** Handles one engine event. */
  handle = (event: EngineEvent): void => {
    const s = this.style;
    const v = this.#options.verbosity;
    if (this.#options.quiet && quietSkips(event)) return;
    switch (event.type) {
      case "phase":
        if (PHASE_TEXT[event.phase]) this.heading(PHASE_TEXT[event.phase]);
        break;
      case "connected":
        this.line(`    [${s.bold(event.host)}] ${s.green("Connected")}`);
        break;
      case "connectFailed":
        this.line(`    [${s.bold(event.host)}] ${s.red("Could not connect")}: ${event.error}`);
        break;
      case "factLoaded":
        if (v >= 2) {
          this.line(
            s.dim(
              `    [${event.host}] Loaded fact ${event.fact}${
                event.args ? ` (${event.args})` : ""
              }`,
            ),
          );
          this.line(s.dim(`    [${event.host}] >>> ${event.command}`));
        }
        if (v >= 3 && event.output) {
          for (const l of event.output.replace(/\n$/, "").split("\n")) {
            this.line(s.dim(`    [${event.host}] ${l}`));
          }
        }
        break;
      case "operationStart":
        this.heading(`Starting operation: ${event.name}`);
        this.#running.set(event.opId, { name: event.name, waiting: new Set(event.hosts) });
        this.#startProgress();
        break;
      case "operationEnd":
        this.#running.delete(event.opId);
        if (!this.#running.size) this.#stopProgress();
        break;
      case "operationResult": {
        this.#running.get(event.opId)?.waiting.delete(event.host);
        const host = `    [${s.bold(event.host)}]`;
        if (event.status === "changed") this.line(`${host} ${s.green("Success")}`);
        else if (event.status === "noChange") {
          this.line(
            `${host} ${s.dim("No changes")}${
              v >= 1 && event.noopReason ? s.dim(`: ${event.noopReason}`) : ""
            }`,
          );
        } else if (event.status === "skipped") {
          this.line(
            `${host} ${s.dim("Skipped")}${event.noopReason ? s.dim(`: ${event.noopReason}`) : ""}`,
          );
        } else {
          const label = event.ignored ? s.yellow("Error (ignored)") : s.red("Error");
          this.line(`${host} ${label}: ${event.error ?? ""}`);
        }
        break;
      }
      case "command":
        if (v >= 1) this.line(s.dim(`    [${event.host}] >>> ${event.command}`));
        break;
      case "commandOutput":
        for (const l of event.text.replace(/\n$/, "").split("\n")) {
          this.line(`    [${event.host}] ${event.stream === "stderr" ? s.yellow(l) : l}`);
        }
        break;
      case "commandResult":
        if (v >= 2 && !this.#options.streaming) {
          for (
            const l of (event.stdout + event.stderr).replace(/\n$/, "").split("\n").filter(Boolean)
          ) {
            this.line(s.dim(`    [${event.host}] ${l}`));
          }
        }
        break;
      case "hostFailed":
        break;
      case "note":
        this.line(`    [${s.bold(event.host)}] ${event.message}`);
        break;
      case "warning":
        this.line(s.yellow(`    ${event.host ? `[${event.host}] ` : ""}${event.message}`));
        break;
    }
  };

  #startProgress(): void {
    if (!this.#options.progress || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.#frame = (this.#frame + 1) % SPINNER.length;
      this.#clearProgress();
      this.#drawProgress();
    }, 100);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  #stopProgress(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clearProgress();
  }

  #drawProgress(): void {
    if (!this.#options.progress || !this.#running.size) return;
    const [op] = this.#running.values();
    const waiting = [...op.waiting];
    const hosts = waiting.length > 4
      ? `${waiting.slice(0, 4).join(", ")} +${waiting.length - 4}`
      : waiting.join(", ");
    const text = `${SPINNER[this.#frame]} ${op.name}${hosts ? ` [${hosts}]` : ""}`;
    // A line longer than the terminal wraps, and "clear line" then leaves its first part.
    this.#options.write(cutToWidth(text, terminalColumns() - 1));
    this.#progressShown = true;
  }

  #clearProgress(): void {
    if (this.#progressShown) this.#options.write("\r\x1b[2K");
    this.#progressShown = false;
  }

  /** Stops the progress line (at exit). */
  close(): void {
    this.#stopProgress();
  }
}
