/*
 * Emails iterations as `kinlog analyze` commits them, over one SMTP connection kept open:
 *
 *   emailThrough(n) ─▶ n−k … n−1: committed, not sent, not claimed? ─▶ sendIterationReport
 *                   ─▶ n                                             ─▶ sendIterationReport
 *                   first failure ─▶ throw (later ones wait for the next call)
 *
 * Looking back k iterations is what makes a failed send (SMTP down for a tick, or a run that
 * stopped after committing) go out on the next call; each send still goes through the claim, so
 * every iteration is emailed at most once however many runs look back at it.
 */
import type { CheckpointStoreOptions } from '../checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses, ReportKinds, type ReportKind } from '../checkpoint/stored-items.js';
import { EmailClaimStore } from './email-claim-store.js';
import { ReportMailer } from './report-mailer.js';
import { sendIterationReport, type SendIterationReportOutcome } from './send-iteration-report.js';
import type { SmtpSettings } from './smtp-settings.js';

/** Defaults of {@link IterationEmailer}. */
export const IterationEmailerDefaults = {
  /** How many iterations before the committed one are checked for an email still owed. */
  LOOK_BACK_ITERATIONS: 4,
  MAX_LOOK_BACK_ITERATIONS: 100,
} as const;

export interface IterationEmailerOptions {
  readonly name: string;
  /** Iterations (default) or whole-stream runs: numbers passed to `emailThrough` are runs. */
  readonly kind?: ReportKind;
  readonly to: readonly string[];
  readonly from?: string;
  readonly smtp: SmtpSettings;
  readonly dynamodb?: CheckpointStoreOptions;
  /** Rows in the email. Default 10. */
  readonly top?: number;
  readonly ownersTable?: string;
  readonly lookBackIterations?: number;
  /** Called after each iteration's send ended without an error. */
  readonly onOutcome?: (iteration: number, outcome: SendIterationReportOutcome) => void;
}

/**
 * Emails each committed iteration of one name, catching up on the few before it that are owed.
 *
 * @example
 * ```ts
 * const emailer = new IterationEmailer({ name: 'web', to: ['ops@example.com'], smtp });
 * try { await emailer.emailThrough(outcome.iteration); } finally { emailer.close(); }
 * ```
 */
export class IterationEmailer {
  private readonly options: IterationEmailerOptions;
  private readonly mailer: ReportMailer;
  private readonly claims: EmailClaimStore;
  private readonly lookBack: number;

  constructor(options: IterationEmailerOptions) {
    this.options = options;
    this.lookBack = Math.min(
      Math.max(0, options.lookBackIterations ?? IterationEmailerDefaults.LOOK_BACK_ITERATIONS),
      IterationEmailerDefaults.MAX_LOOK_BACK_ITERATIONS,
    );
    this.mailer = new ReportMailer(options.smtp);
    this.claims = new EmailClaimStore(options.dynamodb, options.kind ?? ReportKinds.iteration);
  }

  /**
   * Emails the owed iterations among the few before `iteration`, oldest first, then `iteration`.
   *
   * @throws the first error of a send, its message prefixed with `emailing <name> #<n>: `
   *   ({@link ReportEmailError} for SMTP failures, one line without the password); the
   *   iterations not reached are tried again by the next call.
   */
  async emailThrough(iteration: number): Promise<void> {
    for (let n = Math.max(1, iteration - this.lookBack); n < iteration; n++) {
      const state = await this.claims.state(this.options.name, n);
      if (
        state?.status === IterationStatuses.committed &&
        state.emailSentAt === undefined &&
        state.emailClaimBy === undefined
      )
        await this.send(n);
    }
    await this.send(iteration);
  }

  close(): void {
    this.mailer.close();
    this.claims.close();
  }

  private async send(iteration: number): Promise<void> {
    const o = this.options;
    let outcome: SendIterationReportOutcome;
    try {
      outcome = await sendIterationReport({
        name: o.name,
        iteration,
        ...(o.kind === undefined ? {} : { kind: o.kind }),
        to: o.to,
        smtp: this.mailer,
        ...(o.from === undefined ? {} : { from: o.from }),
        ...(o.dynamodb === undefined ? {} : { dynamodb: o.dynamodb }),
        ...(o.top === undefined ? {} : { top: o.top }),
        ...(o.ownersTable === undefined ? {} : { ownersTable: o.ownersTable }),
      });
    } catch (err) {
      // Which iteration failed matters once several are sent in one call.
      const what = o.kind === ReportKinds.run ? `run ${iteration}` : `#${iteration}`;
      if (err instanceof Error) err.message = `emailing ${o.name} ${what}: ${err.message}`;
      throw err;
    }
    o.onOutcome?.(iteration, outcome);
  }
}
