import { DemoDefaults } from './demo-options.js';

/**
 * What `kinlog demo --real-aws` prints: the same pipeline, step by step, on a real AWS account.
 * Nothing is created by the demo itself on AWS: every step is a command the reader runs.
 *
 * @example
 * ```ts
 * process.stdout.write(realAwsGuide());
 * ```
 */
export function realAwsGuide(): string {
  const stream = DemoDefaults.STREAM_NAME;
  const name = DemoDefaults.ANALYZER_NAME;
  return `Running the kinlog pipeline on real AWS
=======================================

The demo runs everything locally (kinesalite, dynalite, an SMTP capture). On AWS the same
pieces are your applications, \`kinlog ship\`, \`kinlog analyze\` and \`kinlog report\`:

1. Credentials and region: any source the AWS SDK reads (AWS_PROFILE, AWS_ACCESS_KEY_ID /
   AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, SSO, an instance or task role), plus
     export AWS_REGION=eu-west-1
   Make sure AWS_ENDPOINT_URL_KINESIS and AWS_ENDPOINT_URL_DYNAMODB are NOT set (they point
   the SDK at local servers).

2. The stream (2 shards, like the demo):
     aws kinesis create-stream --stream-name ${stream} --shard-count 2
     aws kinesis wait stream-exists --stream-name ${stream}

3. The DynamoDB tables (on-demand billing; kinlog-checkpoints and kinlog-iterations):
     kinlog analyze --stream ${stream} --name ${name} --create-tables

4. IAM, least privilege per command (policy JSON in examples/iam/):
     producer (Winston/Pino transports)  kinesis:PutRecords (+ kinesis:ListShards with aggregation)
     kinlog ship                         kinesis:PutRecords (+ kinesis:ListShards with --aggregate)
     kinlog analyze                      kinesis:ListShards, GetShardIterator, GetRecords,
                                         DescribeStreamSummary; dynamodb on both tables
     kinlog report                       dynamodb:GetItem, Query on kinlog-iterations, and
                                         UpdateItem (conditional) to record an email as sent

5. Send logs:
     from an app     new KinesisTransport({ streamName: '${stream}' })          (winston)
                     kinesisPinoTransport({ streamName: '${stream}' })          (pino)
     from files      kinlog ship --stream ${stream} --parser nginx '/var/log/nginx/access.log*'
   (examples/ has a runnable app for each transport, a ship.yaml and a systemd unit.)

6. Analyze and report, every 5 minutes:
     kinlog analyze --stream ${stream} --name ${name} --every 5m \\
       --email ops@example.com --smtp-host smtp.example.com --smtp-user kinlog --smtp-require-tls
   (the SMTP password comes from SMTP_PASSWORD; each iteration is emailed once. Or run
   \`kinlog report --latest --email ...\` from cron: see examples/cron/ and examples/systemd/)

Costs: a provisioned stream is billed per shard-hour and per PUT payload unit; the tables are
on-demand. Delete the stream when done:  aws kinesis delete-stream --stream-name ${stream}
`;
}
