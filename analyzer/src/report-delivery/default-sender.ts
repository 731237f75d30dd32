import { hostname } from 'node:os';

/** Local part of the sender made up from the host name. */
export const DEFAULT_SENDER_LOCAL_PART = 'kinlog';

/** `user@domain.tld`: what most servers take as a sender. */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The sender of a report email when none is given: the SMTP user when it is an address (most
 * submission servers, SES and hosted mail among them, refuse any other sender for that login),
 * else `kinlog@<host name>`.
 *
 * @example
 * ```ts
 * defaultSender('reports@example.com'); // 'reports@example.com'
 * defaultSender('AKIA…', 'web-1.example.com'); // 'kinlog@web-1.example.com'
 * ```
 */
export function defaultSender(smtpUser: string | undefined, host: string = hostname()): string {
  if (smtpUser !== undefined && ADDRESS.test(smtpUser)) return smtpUser;
  return `${DEFAULT_SENDER_LOCAL_PART}@${host}`;
}
