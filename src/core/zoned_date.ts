/**
 * A Date that remembers the UTC offset it was read with, so that it prints as the host
 * wrote it (`2019-01-01T00:00:00+00:00`), as pyinfra's timezone-aware datetimes do.
 *
 * @module
 */

/** A Date with its original UTC offset. */
export class ZonedDate extends Date {
  /** Minutes east of UTC. */
  readonly offsetMinutes: number;

  constructor(epochMs: number, offsetMinutes: number) {
    super(epochMs);
    this.offsetMinutes = offsetMinutes;
  }

  /** ISO 8601 in the original offset, e.g. `2021-06-05T12:03:23-06:00`. */
  override toJSON(): string {
    const local = new Date(this.getTime() + this.offsetMinutes * 60_000).toISOString().slice(0, 19);
    const sign = this.offsetMinutes < 0 ? "-" : "+";
    const abs = Math.abs(this.offsetMinutes);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${
      String(abs % 60).padStart(2, "0")
    }`;
  }
}

/**
 * Parses `YYYY-MM-DDTHH:MM:SS+HHMM` (or `+HH:MM`).
 *
 * @example
 * ```ts
 * import { parseZonedDate } from "./zoned_date.ts";
 * parseZonedDate("2019-01-01T00:00:00+0000")?.toJSON(); // "2019-01-01T00:00:00+00:00"
 * ```
 */
export function parseZonedDate(text: string): ZonedDate | null {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):?(\d\d)$/.exec(
    text.trim(),
  );
  if (!match) return null;
  const [, y, mo, d, h, mi, s, sign, oh, om] = match;
  const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offset * 60_000;
  return new ZonedDate(utc, offset);
}
