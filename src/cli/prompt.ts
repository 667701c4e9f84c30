/**
 * The approval prompt, on a terminal only.
 *
 * @module
 */

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const encoder = new TextEncoder();
  await Deno.stdout.write(encoder.encode(`${question} [y/N] `));
  const buffer = new Uint8Array(1024);
  const n = await Deno.stdin.read(buffer);
  if (n === null) return false;
  const answer = new TextDecoder().decode(buffer.subarray(0, n)).trim().toLowerCase();
  return answer === "y" || answer === "yes";
}
