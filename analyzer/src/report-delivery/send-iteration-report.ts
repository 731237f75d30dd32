/*
 * One report email per (name, iteration), at most once:
 *
 *   read state ─ sent? ─▶ already-sent          (no SMTP connection at all)
 *   load view ─▶ verify() ─▶ claim (conditional) ─ lost? ─▶ in-progress / unconfirmed
 *   ─▶ send ─ failed before hand-over? ─▶ release claim, throw
 *          └ failed after? ─▶ keep claim, throw  (may have been delivered)
 *   ─▶ markSent
 *
 * A crash between send and markSent leaves the claim: later runs report "unconfirmed" and never
 * send again on their own (at most once); `resend` sends anyway (at least once, by choice).
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { CheckpointStoreOptions } from '../checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses, ReportKinds, type ReportKind } from '../checkpoint/stored-items.js';
import {
  IterationNotFoundError,
  RunNotFoundError,
  ReportEmailError,
  ReportEmailUnconfirmedError,
} from '../errors.js';
import { EmailClaimStore } from './email-claim-store.js';
import { loadReportView } from './load-report-view.js';
import { renderHtml } from '../report/render-html.js';
import { renderText } from '../report/render-text.js';
import { renderSavedQueriesText, withSavedQueriesHtml } from '../report/render-saved-queries.js';
import { DynamoCheckpointStore } from '../checkpoint/dynamo-checkpoint-store.js';
import { mayHaveBeenSent, ReportMailer, type SentReceipt } from './report-mailer.js';
import { reportSubject } from '../report/report-subject.js';
import { defaultSender } from './default-sender.js';
import type { SmtpSettings } from './smtp-settings.js';

/** Defaults of {@link sendIterationReport}. */
export const SendReportDefaults = {
  /**
   * A claim older than this was left by a run that died: sending is bounded by the SMTP
   * timeouts (10 s connect, 10 s greeting, 60 s per socket wait), far below it.
   */
  CLAIM_STALE_MS: 10 * 60_000,
} as const;

export interface SendIterationReportOptions {
  readonly name: string;
  /** The iteration, or the run's number when `kind` is `run`. */
  readonly iteration: number;
  /** An iteration's report (default) or a whole-stream run's; each is emailed at most once. */
  readonly kind?: ReportKind;
  readonly to: readonly string[];
  /** Sender address. Default: the SMTP user when it is an address, else `kinlog@<hostname>`. */
  readonly from?: string;
  /** Server settings (a mailer is made and closed here), or a mailer the caller keeps open. */
  readonly smtp: SmtpSettings | ReportMailer;
  readonly dynamodb?: CheckpointStoreOptions;
  /** Rows in the email. Default 10. */
  readonly top?: number;
  readonly ownersTable?: string;
  /** Send even if the iteration's email was sent or claimed. */
  readonly resend?: boolean;
  /** Identifies this run in the claim. Default `host:pid:random`. */
  readonly owner?: string;
  readonly claimStaleMs?: number;
  /** Called once the server accepted the message, before it is marked sent. */
  readonly onSent?: (receipt: SentReceipt) => void;
}

/** How a {@link sendIterationReport} call ended without an error. */
export type SendIterationReportOutcome =
  | {
      readonly status: 'sent';
      readonly subject: string;
      readonly messageId: string;
      readonly accepted: readonly string[];
    }
  | { readonly status: 'already-sent'; readonly sentAt: string }
  | { readonly status: 'in-progress'; readonly claimedBy: string; readonly claimedAt: string };

/**
 * Emails the stored report of a committed iteration, at most once per (name, iteration) across
 * concurrent runs and crashes (see the module diagram).
 *
 * @throws {IterationNotFoundError} when the iteration is not committed.
 * @throws {ReportEmailError} on SMTP failures (one line, no password); the iteration is not
 *   marked sent.
 * @throws {ReportEmailUnconfirmedError} when a dead run's claim says it may have been sent.
 * @example
 * ```ts
 * const outcome = await sendIterationReport({
 *   name: 'web', iteration: 42, to: ['ops@example.com'],
 *   smtp: smtpSettingsFromUrl('smtps://ana:s3cret@mail.example.com'),
 * });
 * if (outcome.status === 'sent') console.log(outcome.subject);
 * ```
 */
export async function sendIterationReport(
  options: SendIterationReportOptions,
): Promise<SendIterationReportOutcome> {
  const { name, iteration } = options;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const kind = options.kind ?? ReportKinds.iteration;
  const what = kind === ReportKinds.run ? `${name} run ${iteration}` : `${name} #${iteration}`;
  const notFound = () =>
    kind === ReportKinds.run
      ? new RunNotFoundError(name, iteration, 'not stored')
      : new IterationNotFoundError(name, iteration);
  const claims = new EmailClaimStore(options.dynamodb, kind);
  const ownMailer = !(options.smtp instanceof ReportMailer);
  let mailer: ReportMailer | undefined;
  try {
    const before = await claims.state(name, iteration);
    if (before?.status !== IterationStatuses.committed) throw notFound();
    if (options.resend !== true) {
      const busy = notOurs(name, iteration, what, before, options.claimStaleMs);
      if (busy !== undefined) return busy;
    }
    const view = await loadReportView({
      name,
      ...(kind === ReportKinds.run ? { run: iteration } : { iteration }),
      ...(options.top === undefined ? {} : { top: options.top }),
      ...(options.ownersTable === undefined ? {} : { ownersTable: options.ownersTable }),
      ...(options.dynamodb === undefined ? {} : { dynamodb: options.dynamodb }),
    });
    const saved = kind === ReportKinds.run ? [] : await savedQueriesOf(options);
    const subject = reportSubject(view);
    const message = {
      from: options.from ?? defaultSender(options.smtp.user),
      to: options.to,
      subject,
      text: renderText(view) + renderSavedQueriesText(saved),
      html: withSavedQueriesHtml(renderHtml(view), saved),
    };
    mailer = options.smtp instanceof ReportMailer ? options.smtp : new ReportMailer(options.smtp);
    await mailer.verify();

    const claim = await claims.claim(name, iteration, owner, options.resend === true);
    if (!claim.claimed) {
      if (claim.state?.status !== IterationStatuses.committed) throw notFound();
      return (
        notOurs(name, iteration, what, claim.state, options.claimStaleMs) ?? {
          status: 'in-progress',
          claimedBy: 'another run',
          claimedAt: new Date().toISOString(),
        }
      );
    }
    let receipt: SentReceipt;
    try {
      receipt = await mailer.send(message);
    } catch (err) {
      if (!mayHaveBeenSent(err)) {
        await claims.release(name, iteration, owner);
        throw err;
      }
      const e = err as ReportEmailError;
      throw new ReportEmailError(
        `${e.message}; the server may have accepted the message, so ${what} stays claimed (use --resend to send it again)`,
        false,
        e.cause,
      );
    }
    options.onSent?.(receipt);
    await claims.markSent(name, iteration, owner);
    return { status: 'sent', subject, messageId: receipt.messageId, accepted: receipt.accepted };
  } finally {
    if (ownMailer) mailer?.close();
    claims.close();
  }
}

/** The outcome when someone else sent or is sending; throws for a dead run's claim. */
function notOurs(
  name: string,
  iteration: number,
  what: string,
  state: { emailSentAt?: string; emailClaimBy?: string; emailClaimAtMs?: number },
  claimStaleMs: number = SendReportDefaults.CLAIM_STALE_MS,
): SendIterationReportOutcome | undefined {
  if (state.emailSentAt !== undefined) return { status: 'already-sent', sentAt: state.emailSentAt };
  if (state.emailClaimBy === undefined) return undefined;
  const claimedAtMs = state.emailClaimAtMs ?? 0;
  const claimedAt = new Date(claimedAtMs).toISOString();
  if (Date.now() - claimedAtMs > claimStaleMs)
    throw new ReportEmailUnconfirmedError(name, iteration, state.emailClaimBy, claimedAt, what);
  return { status: 'in-progress', claimedBy: state.emailClaimBy, claimedAt };
}

/** The saved-query results stored with the iteration, shown next to its top-N. */
async function savedQueriesOf(options: SendIterationReportOptions) {
  const store = new DynamoCheckpointStore(options.dynamodb);
  try {
    return await store.getSavedQueryResults(options.name, options.iteration);
  } finally {
    store.close();
  }
}
