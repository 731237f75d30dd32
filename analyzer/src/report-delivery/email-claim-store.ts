/*
 * The email attributes of an iteration item (ItemKeys.iteration) or of a whole-stream run's
 * item (ItemKeys.run), next to the ones the analyzer writes; every SDK error is translated
 * here, by core's classifier.
 *
 *   claim    SET emailClaimBy, emailClaimAtMs   if committed, not sent, not claimed (or --resend)
 *   send     (SMTP, outside this file)
 *   markSent SET emailSentAt, emailSentBy REMOVE claim   if the claim is still ours
 *   release  REMOVE claim                       if ours; only when nothing can have been sent
 *
 * A claim that is never marked nor released (the sender died between handing the message to the
 * SMTP server and marking) stays: nobody sends that iteration again without --resend.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  CheckpointStoreDefaults,
  type CheckpointStoreOptions,
} from '../checkpoint/dynamo-checkpoint-store.js';
import { DynamoConnection, RetryOn } from '../checkpoint/dynamo-connection.js';
import {
  IterationStatuses,
  ReportKinds,
  type IterationStatus,
  type ReportKind,
} from '../checkpoint/stored-items.js';
import { ItemKeys } from '../checkpoint/item-keys.js';
import { translateDynamoError } from '../checkpoint/translate-dynamo-error.js';

/** The email state of one iteration item. */
export interface EmailState {
  readonly status: IterationStatus;
  readonly emailSentAt?: string;
  readonly emailClaimBy?: string;
  readonly emailClaimAtMs?: number;
}

/** What a claim attempt found. */
export type ClaimResult =
  { readonly claimed: true } | { readonly claimed: false; readonly state: EmailState | undefined };

type Item = Record<string, AttributeValue>;

/**
 * Conditional writes that make a report email go out at most once per (name, iteration).
 *
 * @example
 * ```ts
 * const claims = new EmailClaimStore({ endpoint });
 * if ((await claims.claim('web', 7, 'host:42')).claimed) { await send(); await claims.markSent('web', 7, 'host:42'); }
 * ```
 */
export class EmailClaimStore {
  readonly iterationsTable: string;
  private readonly dynamo: DynamoConnection;
  private readonly keyOf: (name: string, n: number) => Item;

  /** @param kind whose items the claims are on: iterations (default) or whole-stream runs. */
  constructor(options: CheckpointStoreOptions = {}, kind: ReportKind = ReportKinds.iteration) {
    this.dynamo = new DynamoConnection(options);
    this.iterationsTable = options.iterationsTable ?? CheckpointStoreDefaults.ITERATIONS_TABLE;
    this.keyOf = kind === ReportKinds.run ? ItemKeys.run : ItemKeys.iteration;
  }

  close(): void {
    this.dynamo.close();
  }

  /** The iteration's status and email attributes; `undefined` when there is no such iteration. */
  async state(name: string, iteration: number): Promise<EmailState | undefined> {
    let item: Item | undefined;
    try {
      const out = await this.dynamo.retrying(() =>
        this.dynamo.bounded((o) =>
          this.dynamo.client.send(
            new GetItemCommand({
              TableName: this.iterationsTable,
              Key: this.keyOf(name, iteration),
              ConsistentRead: true,
            }),
            o,
          ),
        ),
      );
      item = out.Item;
    } catch (err) {
      throw this.translate(err, 'read email state');
    }
    if (item === undefined) return undefined;
    const sentAt = item['emailSentAt']?.S;
    const claimBy = item['emailClaimBy']?.S;
    const claimAtMs = item['emailClaimAtMs']?.N;
    return {
      status: (item['status']?.S ?? IterationStatuses.running) as IterationStatus,
      ...(sentAt === undefined ? {} : { emailSentAt: sentAt }),
      ...(claimBy === undefined ? {} : { emailClaimBy: claimBy }),
      ...(claimAtMs === undefined ? {} : { emailClaimAtMs: Number(claimAtMs) }),
    };
  }

  /**
   * Claims the right to send n's email: only a committed iteration that was neither sent nor
   * claimed; with `force`, any committed iteration (the claim and sent mark are taken over).
   */
  async claim(name: string, iteration: number, owner: string, force = false): Promise<ClaimResult> {
    const condition = force
      ? 'attribute_exists(PK) AND #status = :committed'
      : 'attribute_exists(PK) AND #status = :committed AND attribute_not_exists(emailSentAt) AND attribute_not_exists(emailClaimBy)';
    try {
      await this.conditionalUpdate(name, iteration, {
        UpdateExpression: 'SET emailClaimBy = :owner, emailClaimAtMs = :now',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':owner': { S: owner },
          ':now': { N: String(Date.now()) },
          ':committed': { S: IterationStatuses.committed },
        },
      });
      return { claimed: true };
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        return { claimed: false, state: await this.state(name, iteration) };
      }
      throw this.translate(err, 'claim email');
    }
  }

  /** Marks n's email sent by `owner`; false when the claim was taken over (a `--resend`). */
  async markSent(name: string, iteration: number, owner: string): Promise<boolean> {
    return this.ifOwner(
      name,
      iteration,
      owner,
      'SET emailSentAt = :at, emailSentBy = :owner REMOVE emailClaimBy, emailClaimAtMs',
      { ':at': { S: new Date().toISOString() } },
      'mark email sent',
    );
  }

  /** Gives up `owner`'s claim: only when the message certainly did not reach the server. */
  async release(name: string, iteration: number, owner: string): Promise<boolean> {
    return this.ifOwner(
      name,
      iteration,
      owner,
      'REMOVE emailClaimBy, emailClaimAtMs',
      {},
      'release email claim',
    );
  }

  private async ifOwner(
    name: string,
    iteration: number,
    owner: string,
    update: string,
    values: Item,
    what: string,
  ): Promise<boolean> {
    try {
      await this.conditionalUpdate(name, iteration, {
        UpdateExpression: update,
        ConditionExpression: 'emailClaimBy = :owner',
        ExpressionAttributeValues: { ':owner': { S: owner }, ...values },
      });
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw this.translate(err, what);
    }
  }

  /** One conditional UpdateItem on n's iteration item, retried only when throttled. */
  private async conditionalUpdate(
    name: string,
    iteration: number,
    update: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Item;
    },
  ): Promise<void> {
    const input = {
      TableName: this.iterationsTable,
      Key: this.keyOf(name, iteration),
      ...update,
    };
    // A conditional write: retried only when refused outright by throttling (see RetryOn).
    await this.dynamo.retrying(
      () => this.dynamo.bounded((o) => this.dynamo.client.send(new UpdateItemCommand(input), o)),
      RetryOn.throttled,
    );
  }

  private translate(err: unknown, what: string): Error {
    return translateDynamoError(err, `${what} on ${this.iterationsTable}`, this.iterationsTable);
  }
}
