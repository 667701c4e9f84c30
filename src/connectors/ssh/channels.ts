/**
 * The channels of one SSH connection: how many may be open at once (sshd's
 * `MaxSessions`), and how to ask sshd to signal a channel's command.
 *
 * @module
 */
import type { ClientChannel } from "../../deps.ts";

/**
 * Channels open at once on one connection. OpenSSH's sshd allows 10 sessions per
 * connection (`MaxSessions`); one is kept for SFTP.
 */
export const MAX_CHANNELS = 8;

/** Tries to open a channel that sshd refused (too many sessions) before giving up. */
export const OPEN_RETRIES = 25;

/** Seconds to wait for a closed channel to be confirmed before its slot is reused. */
export const CLOSE_GRACE = 5;

/** Counts open channels and queues the rest. */
export class Slots {
  #free: number;
  #size: number;
  #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
    this.#size = size;
  }

  /** Allows one channel fewer from now on (never fewer than one). */
  shrink(): void {
    if (this.#size <= 1) return;
    this.#size--;
    this.#free--;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (this.#free < 0) {
        this.#free++;
        return;
      }
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/**
 * Asks sshd to SIGKILL the command's process group. `ClientChannel.signal` sends nothing
 * once our side has sent end of input (always, here), so this goes to ssh2's protocol
 * object as that method does (internal API of the pinned ssh2 1.17.0). sshd signals as
 * the login user: a command running under sudo as another user is not reached, and
 * stops only when it notices the closed channel.
 */
export function killChannel(channel: ClientChannel, signal = "KILL"): void {
  const internal = channel as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  const id = internal.outgoing?.id;
  const state = internal.outgoing?.state;
  if (id === undefined || (state !== "open" && state !== "eof")) return;
  internal._client?._protocol?.signal?.(id, signal);
}
