/*
 * The SMTP edge: nodemailer behind verify() and send(); every nodemailer error becomes a
 * one-line ReportEmailError with secrets removed.
 */
import { createTransport, type Mail } from 'nodemailer';
import { ReportEmailError } from '../errors.js';
import { redactSecrets, SmtpDefaults, type SmtpSettings } from './smtp-settings.js';

/** One report email. */
export interface ReportMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the server accepted. */
export interface SentReceipt {
  readonly messageId: string;
  readonly accepted: readonly string[];
}

/** SMTP commands after which a failure means the message cannot have been accepted. */
const BEFORE_DATA = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL|RCPT)/i;

/**
 * Whether a failed send may still have delivered the message: false only when it failed before
 * the message was handed over (connection, TLS, auth, envelope) or the server refused it.
 *
 * @example
 * ```ts
 * if (!mayHaveBeenSent(err)) await claims.release(name, n, owner);
 * ```
 */
export function mayHaveBeenSent(err: unknown): boolean {
  const cause = err instanceof ReportEmailError ? err.cause : err;
  const e = cause as { code?: string; command?: string; responseCode?: number } | undefined;
  if (e === undefined || e === null) return true;
  if (e.responseCode !== undefined && e.responseCode >= 400) return false;
  if (
    ['ECONNECTION', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EENVELOPE', 'ECONFIG'].includes(
      e.code ?? '',
    )
  )
    return false;
  return !BEFORE_DATA.test(e.command ?? 'DATA');
}

/**
 * A pooled SMTP connection for report emails.
 *
 * @example
 * ```ts
 * const mailer = new ReportMailer(smtpSettingsFromUrl(url));
 * try { await mailer.verify(); await mailer.send(message); } finally { mailer.close(); }
 * ```
 */
export class ReportMailer {
  private readonly settings: SmtpSettings;
  private readonly transport: Mail;

  constructor(settings: SmtpSettings) {
    this.settings = settings;
    this.transport = createTransport({
      pool: true,
      maxConnections: 1,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls,
      ...(settings.user === undefined
        ? {}
        : { auth: { user: settings.user, pass: settings.password ?? '' } }),
      tls: { rejectUnauthorized: settings.allowSelfSigned !== true },
      connectionTimeout: settings.connectionTimeoutMs ?? SmtpDefaults.CONNECTION_TIMEOUT_MS,
      greetingTimeout: settings.greetingTimeoutMs ?? SmtpDefaults.GREETING_TIMEOUT_MS,
      socketTimeout: settings.socketTimeoutMs ?? SmtpDefaults.SOCKET_TIMEOUT_MS,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /** The user it authenticates as, if any. */
  get user(): string | undefined {
    return this.settings.user;
  }

  /** `host:port` as shown in messages. */
  get server(): string {
    return `${this.settings.host}:${this.settings.port}`;
  }

  /**
   * Connects, negotiates TLS and authenticates without sending anything.
   *
   * @throws {ReportEmailError} saying what failed, on one line.
   */
  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw this.translate(err, 'connecting to');
    }
  }

  /**
   * Sends one message (text and HTML parts).
   *
   * @throws {ReportEmailError} saying what failed; see {@link mayHaveBeenSent}.
   */
  async send(message: ReportMessage): Promise<SentReceipt> {
    try {
      const info: { messageId?: unknown; accepted?: unknown } = await this.transport.sendMail({
        from: message.from,
        to: [...message.to],
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return {
        messageId: String(info.messageId),
        accepted: Array.isArray(info.accepted) ? info.accepted.map(String) : [],
      };
    } catch (err) {
      throw this.translate(err, 'sending through');
    }
  }

  close(): void {
    this.transport.close();
  }

  private translate(err: unknown, doing: string): ReportEmailError {
    const e = err as { code?: string; command?: string; message?: string; responseCode?: number };
    const raw = (e.message ?? String(err)).split(/\r?\n/)[0] ?? '';
    const tlsHint = this.settings.secure
      ? ' (smtps:// speaks TLS from the first byte, usually on port 465; for STARTTLS use smtp://, usually port 587)'
      : '';
    let what: string;
    if (e.code === 'EAUTH' || e.code === 'ENOAUTH') what = 'authentication failed';
    else if (/ECONNREFUSED/.test(raw)) what = 'connection refused';
    else if (e.code === 'ETLS' || /ssl|tls|certificate|wrong version/i.test(raw))
      what = `TLS failed${tlsHint}`;
    else if (e.code === 'ETIMEDOUT') what = 'timed out';
    else if (e.code === 'EENVELOPE' && e.command === 'MAIL FROM')
      what = 'sender refused (set --from to an address this server accepts for its user)';
    else if (e.code === 'EENVELOPE') what = 'recipients refused';
    else what = 'failed';
    const detail = redactSecrets(raw, [this.settings.password]);
    return new ReportEmailError(
      `SMTP ${doing} ${this.server}: ${what}: ${detail}`.replace(/[\r\n]+/g, ' '),
      e.code === 'ETIMEDOUT' || e.code === 'ECONNECTION' || e.code === 'ESOCKET',
      err,
    );
  }
}
