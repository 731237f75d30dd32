import { ConfigError, type ConfigProblem } from '@kinlog/core';

/** Ports and bounds of SMTP connections. */
export const SmtpDefaults = {
  /** Implicit TLS (`smtps://`). */
  SECURE_PORT: 465,
  /** Submission with STARTTLS (`smtp://`). */
  SUBMISSION_PORT: 587,
  CONNECTION_TIMEOUT_MS: 10_000,
  GREETING_TIMEOUT_MS: 10_000,
  SOCKET_TIMEOUT_MS: 60_000,
  /** What replaces a secret in any text shown to a person. */
  REDACTED: '***',
} as const;

/** Where and how to reach the SMTP server. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (port 465); otherwise plain with STARTTLS when offered. */
  readonly secure: boolean;
  /** Fail rather than send in the clear when the server offers no STARTTLS. */
  readonly requireTls: boolean;
  readonly user?: string;
  readonly password?: string;
  /** Accept self-signed server certificates (test servers only). Default false. */
  readonly allowSelfSigned?: boolean;
  /** Overrides of {@link SmtpDefaults} timeouts. */
  readonly connectionTimeoutMs?: number;
  readonly greetingTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
}

/**
 * Reads `smtps://user:pass@host:465` or `smtp://host:587[?requireTLS=true]`. Problems name the
 * option and never echo the URL (it may hold the password).
 *
 * @throws {ConfigError} with every problem found.
 * @example
 * ```ts
 * smtpSettingsFromUrl('smtps://ana:s3cret@mail.example.com'); // { host: 'mail.example.com', port: 465, secure: true, … }
 * ```
 */
export function smtpSettingsFromUrl(url: string, option = '--smtp-url'): SmtpSettings {
  const problems: ConfigProblem[] = [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError([{ path: option, message: 'is not a URL (smtp://… or smtps://…)' }]);
  }
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:')
    problems.push({ path: option, message: 'must start with smtp:// or smtps://' });
  if (parsed.hostname === '') problems.push({ path: option, message: 'has no host' });
  const port =
    parsed.port === ''
      ? secure
        ? SmtpDefaults.SECURE_PORT
        : SmtpDefaults.SUBMISSION_PORT
      : Number(parsed.port);
  const requireTls = parsed.searchParams.get('requireTLS');
  if (requireTls !== null && requireTls !== 'true' && requireTls !== 'false')
    problems.push({ path: `${option} requireTLS`, message: 'must be true or false' });
  if (problems.length > 0) throw new ConfigError(problems);
  let user: string | undefined;
  let password: string | undefined;
  try {
    user = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
    password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw new ConfigError([
      { path: option, message: 'has a badly percent-encoded user or password' },
    ]);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    secure,
    requireTls: requireTls === 'true',
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  };
}

/**
 * Removes secrets from text shown to a person: the given ones (raw and percent-encoded) and the
 * password part of any `scheme://user:password@` URL.
 *
 * @example
 * ```ts
 * redactSecrets('smtps://ana:s3cret@host failed', ['s3cret']); // 'smtps://ana:***@host failed'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(
    /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]*@/gi,
    `$1:${SmtpDefaults.REDACTED}@`,
  );
  for (const secret of secrets) {
    if (secret === undefined || secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(SmtpDefaults.REDACTED);
    }
  }
  return out;
}
