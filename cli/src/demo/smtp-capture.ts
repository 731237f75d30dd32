import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import { loadSmtpServer } from './load-smtp-server.js';

/** One message as the server received it. */
export interface CapturedMessage {
  readonly from: string;
  readonly to: readonly string[];
  /** The RFC 5322 message exactly as received: a valid `.eml` file. */
  readonly raw: Buffer;
}

/** Bound on one message, far above a report email. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/**
 * An SMTP server on a free local port that accepts every message and keeps it: the demo's
 * stand-in for a mail server (plain SMTP, no STARTTLS, authentication optional).
 *
 * @example
 * ```ts
 * const smtp = await SmtpCapture.start();
 * // send to 127.0.0.1:smtp.port …
 * smtp.messages[0]?.raw;
 * await smtp.close();
 * ```
 */
export class SmtpCapture {
  private constructor(
    /** Every message received so far, in order. */
    readonly messages: CapturedMessage[],
    private readonly server: SMTPServer,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(host = '127.0.0.1'): Promise<SmtpCapture> {
    const smtpServer = await loadSmtpServer();
    const messages: CapturedMessage[] = [];
    const server = new smtpServer.SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: MAX_MESSAGE_BYTES,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const envelope = session.envelope;
          messages.push({
            from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
            to: envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
    server.listen(0, host);
    await once(server.server, 'listening');
    const { port } = server.server.address() as AddressInfo;
    return new SmtpCapture(messages, server, host, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
