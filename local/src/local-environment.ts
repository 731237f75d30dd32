import type { LocalServices } from './start-local-services.js';

/** Dummy credentials and region the local servers accept. */
export const LocalEnvironmentDefaults = {
  ACCESS_KEY_ID: 'local',
  SECRET_ACCESS_KEY: 'local',
  REGION: 'us-east-1',
} as const;

/**
 * Environment variables that point the AWS SDK (and every kinlog command) at local servers:
 * endpoints, dummy credentials, region, and the Node 20 support warning silenced.
 *
 * @example
 * ```ts
 * const services = await startLocalServices();
 * Object.assign(process.env, localEnvironment(services));
 * ```
 */
export function localEnvironment(
  services: Pick<LocalServices, 'kinesisEndpoint' | 'dynamodbEndpoint'>,
): Record<string, string> {
  return {
    ...(services.kinesisEndpoint === undefined
      ? {}
      : { AWS_ENDPOINT_URL_KINESIS: services.kinesisEndpoint }),
    ...(services.dynamodbEndpoint === undefined
      ? {}
      : { AWS_ENDPOINT_URL_DYNAMODB: services.dynamodbEndpoint }),
    AWS_ACCESS_KEY_ID: LocalEnvironmentDefaults.ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: LocalEnvironmentDefaults.SECRET_ACCESS_KEY,
    AWS_REGION: LocalEnvironmentDefaults.REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
