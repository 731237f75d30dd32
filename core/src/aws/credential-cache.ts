/*
 * Credentials asked of a provider once and kept until shortly before they expire:
 *
 *   get() ─▶ held and not within refreshBeforeMs of expiration? ── yes ──▶ held
 *                   │ no (none yet, or expiring)
 *                   ▼
 *            one provider call for all callers at once ─▶ held (a failure is not kept)
 */

/** AWS credentials as the SDK's providers resolve them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  /** When temporary credentials stop working; none for long-term keys. */
  readonly expiration?: Date | undefined;
}

/** Bounds of {@link CredentialCache}. */
export const CredentialCacheDefaults = {
  /**
   * Credentials are asked again this long before they expire, so a request signed now is
   * still valid when it arrives (the AWS SDK uses the same margin).
   */
  REFRESH_BEFORE_MS: 5 * 60_000,
} as const;

/** Options of {@link CredentialCache}. */
export interface CredentialCacheOptions {
  /** Where credentials come from, e.g. a KinesisClient's `config.credentials`. */
  readonly provider: () => Promise<AwsCredentials>;
  /** Injected for tests. */
  readonly now?: () => number;
  readonly refreshBeforeMs?: number;
}

/**
 * Holds the credentials of a provider until they come within `refreshBeforeMs` of their
 * expiration, then asks again; concurrent callers share one call, and a failed call is not
 * remembered (the next caller asks again).
 *
 * @example
 * ```ts
 * const cache = new CredentialCache({ provider: () => kinesis.config.credentials() });
 * const { accessKeyId, sessionToken } = await cache.get();
 * ```
 */
export class CredentialCache {
  private readonly provider: () => Promise<AwsCredentials>;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private held: AwsCredentials | undefined;
  private asking: Promise<AwsCredentials> | undefined;

  constructor(options: CredentialCacheOptions) {
    this.provider = options.provider;
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? CredentialCacheDefaults.REFRESH_BEFORE_MS;
  }

  /** The held credentials while fresh, else the provider's next answer. */
  get(): Promise<AwsCredentials> {
    const held = this.held;
    if (held !== undefined && !this.expiring(held)) return Promise.resolve(held);
    this.asking ??= this.ask();
    return this.asking;
  }

  private async ask(): Promise<AwsCredentials> {
    try {
      const credentials = await this.provider();
      this.held = credentials;
      return credentials;
    } finally {
      this.asking = undefined;
    }
  }

  private expiring(credentials: AwsCredentials): boolean {
    const expiration = credentials.expiration;
    if (expiration === undefined) return false;
    return expiration.getTime() - this.now() <= this.refreshBeforeMs;
  }
}
