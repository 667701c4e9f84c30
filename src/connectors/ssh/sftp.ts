/**
 * SFTP errors in words: ssh2 reports them as numeric status codes.
 *
 * @module
 */
import { messageOf } from "./settings.ts";

/** SFTP status 2: no such file. */
export function isNoSuchFile(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 2;
}

/** What an SFTP error means, in words. */
export function sftpMessage(error: unknown): string {
  if (isNoSuchFile(error)) return "No such file or directory";
  if ((error as { code?: unknown })?.code === 3) return "Permission denied";
  return messageOf(error);
}
