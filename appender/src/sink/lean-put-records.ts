/*
 * PutRecords sent without the SDK's per-request middleware: the request the SDK would build
 * (taken once as a PutRecordsPrototype), signed as the SDK's SigV4 signer signs it, over a
 * keep-alive agent of its own:
 *
 *   body ─▶ prototype headers + content-length + invocation id ─▶ PutRecordsSigner (SigV4 as
 *        the SDK's SignatureV4 signs it, with what does not change per request computed once;
 *        credentials from a CredentialCache; date = now + clock offset)
 *        ─▶ http(s).request on our Agent ─▶ status < 300: the entries' results (CBOR or JSON)
 *                                          └─ else: its error (named as the SDK names it)
 *
 * The body is CBOR or JSON (`wireProtocol`); only the Content-Type header differs from the
 * SDK's request. Answers are decoded by their own Content-Type (see put-records-answer.ts).
 *
 * Socket errors come out as Node gives them (`code: ECONNRESET`, …), a slow connection set-up as
 * a TimeoutError; the caller's signal (its request deadline) destroys the request. Every error is
 * read by core's classifyAwsError, as the SDK's are.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { AwsClientDefaults, abortReason, type AwsCredentials } from '@kinlog/core';
import { putRecordsAnswerError, putRecordsAnswerResults } from './put-records-answer.js';
import type { PutRecordsPrototype } from './put-records-prototype.js';
import type { PutRecordsResults } from './put-records-results.js';
import { PutRecordsSigner } from './put-records-signer.js';
import { WireContentTypes, WireProtocol } from './wire-protocol.js';

/** The clock correction shared with the SDK client (its `config.systemClockOffset`). */
export interface ClockOffset {
  get(): number;
  set(offsetMs: number): void;
}

/** Options of {@link LeanPutRecords}. */
export interface LeanPutRecordsOptions {
  readonly prototype: PutRecordsPrototype;
  /** Credentials per request: a cache over the client's provider (cheap when fresh). */
  readonly credentials: () => Promise<AwsCredentials>;
  readonly maxSockets?: number;
  readonly connectionTimeoutMs?: number;
  /** `false` inside a host application: a request in flight never holds the process. */
  readonly keepProcessAlive?: boolean;
  /** How bodies given to {@link LeanPutRecords.send} are encoded; default `json`. */
  readonly wireProtocol?: WireProtocol;
  /** Where the server's clock is known to differ from ours; none: no correction. */
  readonly clockOffset?: ClockOffset;
  /** Injected for tests. */
  readonly now?: () => number;
  readonly invocationId?: () => string;
}

/** A request as it leaves: the prototype's address with signed headers. */
export interface SignedPutRecords {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** The AWS SDK's bound of a clock difference it leaves alone (and signatures tolerate). */
const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;
const HTTP_ERROR_STATUS = 300;

/**
 * Signs and sends PutRecords requests built from a {@link PutRecordsPrototype}; answers the
 * entries' results of a successful answer, throws what classifyAwsError reads otherwise.
 *
 * @example
 * ```ts
 * const lean = new LeanPutRecords({ prototype, credentials: () => cache.get() });
 * const results = await lean.send(putRecordsBody('logs', entries), signal);
 * ```
 */
export class LeanPutRecords {
  private readonly prototype: PutRecordsPrototype;
  private readonly wireProtocol: WireProtocol;
  private readonly credentials: () => Promise<AwsCredentials>;
  private readonly signer: PutRecordsSigner;
  private readonly agent: HttpAgent;
  private readonly send1: typeof httpRequest;
  private readonly host: string;
  private readonly connectionTimeoutMs: number;
  private readonly keepProcessAlive: boolean;
  private readonly clockOffset: ClockOffset | undefined;
  private readonly now: () => number;
  private readonly invocationId: () => string;

  constructor(options: LeanPutRecordsOptions) {
    const { prototype } = options;
    this.prototype = prototype;
    this.wireProtocol = options.wireProtocol ?? WireProtocol.JSON;
    this.credentials = options.credentials;
    this.signer = new PutRecordsSigner({
      method: prototype.method,
      path: prototype.path,
      headers: { ...prototype.headers, 'content-type': WireContentTypes[this.wireProtocol] },
      region: prototype.signingRegion,
      service: prototype.signingService,
    });
    const agentOptions = {
      keepAlive: true,
      keepAliveMsecs: AwsClientDefaults.KEEP_ALIVE_MS,
      maxSockets: options.maxSockets ?? AwsClientDefaults.MAX_SOCKETS,
    };
    const https = prototype.protocol === 'https:';
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send1 = https ? httpsRequest : httpRequest;
    this.host = prototype.hostname.replace(/^\[(.*)\]$/, '$1');
    this.connectionTimeoutMs =
      options.connectionTimeoutMs ?? AwsClientDefaults.CONNECTION_TIMEOUT_MS;
    this.keepProcessAlive = options.keepProcessAlive ?? true;
    this.clockOffset = options.clockOffset;
    this.now = options.now ?? Date.now;
    this.invocationId = options.invocationId ?? randomUUID;
  }

  /** The request for `body` as it will be sent: the SDK's headers, signed now. */
  async sign(body: Buffer): Promise<SignedPutRecords> {
    const credentials = await this.credentials();
    const headers = this.signer.sign(
      body,
      { 'content-length': String(body.byteLength), 'amz-sdk-invocation-id': this.invocationId() },
      credentials,
      this.now() + (this.clockOffset?.get() ?? 0),
    );
    return { headers, body };
  }

  /**
   * Sends one PutRecords body; answers the entries' results of a 2xx answer (a CBOR answer is
   * read lazily: see cbor-answer-results.ts). Throws an
   * AwsHttpError for an error answer or a 2xx that cannot be decoded, Node's socket errors as
   * they come, a TimeoutError when no connection is made in time, the signal's reason on abort.
   *
   * @param onBodyFree - called once nothing refers to `body` any more: the request is over and
   *   its body was written whole (a request ended while writing it never calls it, so a body
   *   still queued on a socket is never reused)
   */
  async send(
    body: Buffer,
    signal?: AbortSignal,
    onBodyFree?: () => void,
  ): Promise<PutRecordsResults> {
    let signed: SignedPutRecords;
    try {
      signed = await this.sign(body);
    } catch (err) {
      onBodyFree?.();
      throw err;
    }
    const answer = await this.exchange(signed, signal, onBodyFree);
    this.correctClock(answer.headers['date']);
    if (answer.status >= HTTP_ERROR_STATUS) {
      throw putRecordsAnswerError(answer.status, answer.headers, answer.body, this.wireProtocol);
    }
    return putRecordsAnswerResults(answer.status, answer.headers, answer.body, this.wireProtocol);
  }

  /** Closes the agent's sockets. */
  destroy(): void {
    this.agent.destroy();
  }

  private exchange(
    signed: SignedPutRecords,
    signal: AbortSignal | undefined,
    onBodyFree: (() => void) | undefined,
  ): Promise<Answer> {
    const p = this.prototype;
    return new Promise<Answer>((resolve, reject) => {
      if (signal?.aborted === true) {
        onBodyFree?.();
        reject(abortReason(signal));
        return;
      }
      let settled = false;
      // The body is free once the request is over and its write finished, in either order.
      let written = false;
      const freeBody = (): void => {
        if (!settled || !written || onBodyFree === undefined) return;
        const free = onBodyFree;
        onBodyFree = undefined;
        free();
      };
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connecting);
        signal?.removeEventListener('abort', onAbort);
        reject(err);
        freeBody();
      };
      const req: ClientRequest = this.send1(
        {
          host: this.host,
          ...(p.port === undefined ? {} : { port: p.port }),
          method: p.method,
          path: p.path,
          headers: signed.headers,
          agent: this.agent,
        },
        (res) => {
          clearTimeout(connecting);
          readAnswer(res).then((answer) => {
            if (settled) return;
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolve(answer);
            freeBody();
          }, fail);
        },
      );
      const connecting = setTimeout(() => {
        req.destroy(connectionTimeoutError(this.connectionTimeoutMs));
      }, this.connectionTimeoutMs);
      connecting.unref();
      const onAbort = (): void => {
        const reason = abortReason(signal!);
        req.destroy(reason);
        fail(reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('socket', (socket: Socket) => {
        // The agent references a socket again for each request it carries.
        if (!this.keepProcessAlive) socket.unref();
        if (socket.connecting) socket.once('connect', () => clearTimeout(connecting));
        else clearTimeout(connecting);
      });
      req.on('error', fail);
      if (onBodyFree !== undefined) {
        req.once('finish', () => {
          written = true;
          freeBody();
        });
      }
      req.end(signed.body);
    });
  }

  /** Takes the server's clock when ours is off by more than signatures tolerate (as the SDK). */
  private correctClock(dateHeader: string | string[] | undefined): void {
    if (this.clockOffset === undefined || typeof dateHeader !== 'string') return;
    const serverMs = Date.parse(dateHeader);
    if (Number.isNaN(serverMs)) return;
    const now = this.now();
    if (Math.abs(now + this.clockOffset.get() - serverMs) >= CLOCK_SKEW_TOLERANCE_MS) {
      this.clockOffset.set(serverMs - now);
    }
  }
}

/** One answer, read whole. */
interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** Reads an answer's body; an answer cut short fails as the socket error (or ECONNRESET). */
function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => {
      ended = true;
      resolve({
        status: res.statusCode ?? -1,
        headers: res.headers,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      });
    });
    res.once('error', reject);
    res.once('close', () => {
      if (!ended) reject(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }));
    });
  });
}

function connectionTimeoutError(timeoutMs: number): Error {
  return Object.assign(new Error(`no connection within ${timeoutMs} ms`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}
