import { createRequire } from 'node:module';
import type * as SmithyConfig from '@smithy/core/config';
import { ConfigError } from '../errors.js';

// CommonJS, so required rather than imported: an import makes Node parse the SDK's bundles to
// list their named exports, CPU spent at every start of a command.
const { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } = createRequire(
  import.meta.url,
)('@smithy/core/config') as typeof SmithyConfig;

/** What to do when no region is found, named in the error. */
export const MISSING_REGION_HINT =
  'set AWS_REGION, or `region` in the profile AWS_PROFILE selects in ~/.aws/config ' +
  '(AWS_CONFIG_FILE), or pass --region (the `region` option in code); AWS_DEFAULT_REGION is ' +
  'read by the AWS CLI only, not by the AWS SDK';

/**
 * The region as the AWS SDK resolves it when a client is given none, with the SDK's own loader
 * and order: `AWS_REGION`, then the profile's `region` (`AWS_PROFILE`, ~/.aws/credentials and
 * ~/.aws/config or `AWS_CONFIG_FILE`), then EC2 instance metadata. Only the failure differs:
 * instead of the SDK's bare "Region is missing", a `ConfigError` that says how to set one.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient({ region: sdkDefaultRegion() });
 * await kinesis.config.region(); // 'eu-west-1' with AWS_PROFILE=prod and region = eu-west-1 there
 * ```
 */
export function sdkDefaultRegion(): () => Promise<string> {
  const load = loadConfig(NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS);
  return async () => {
    try {
      return await load();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const error = new ConfigError(
        [{ path: 'region', message: MISSING_REGION_HINT }],
        `no AWS region (${reason})`,
      );
      throw Object.assign(error, { cause: err });
    }
  };
}
