import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadShipConfig } from '@kinlog/appender/daemon';

const examples = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const kinlogBin = fileURLToPath(new URL('../../../cli/dist/bin/kinlog.js', import.meta.url));
const run = promisify(execFile);

interface Policy {
  Version: string;
  Statement: { Sid?: string; Effect: string; Action: string[]; Resource: string | string[] }[];
}

/** The least privileges of each command (see the README's IAM section). */
const EXPECTED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'producer-policy.json': ['kinesis:ListShards', 'kinesis:PutRecords'],
  'ship-policy.json': ['kinesis:ListShards', 'kinesis:PutRecords'],
  'analyze-policy.json': [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
  ],
  'report-policy.json': [
    'dynamodb:BatchGetItem',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  'setup-policy.json': ['dynamodb:CreateTable', 'dynamodb:DescribeTable'],
};

/** `kinlog <command> --flag …` invocations in a text file. */
function kinlogInvocations(text: string): { command: string; flags: string[] }[] {
  return [...text.matchAll(/\bkinlog (ship|analyze|report|local|demo)\b([^\n&|>]*)/g)].map((m) => ({
    command: m[1] ?? '',
    flags: [...(m[2] ?? '').matchAll(/(?:^|\s)(--[a-z0-9-]+)/g)].map((f) => f[1] ?? ''),
  }));
}

describe('example configuration files', () => {
  it('ship.yaml passes the daemon’s config schema, with nginx and a multi-line log4j flow', async () => {
    const config = await loadShipConfig(examples('ship/ship.yaml'));
    expect(config.flows.map((f) => [f.name, f.parser])).to.deep.equal([
      ['nginx', 'nginx'],
      ['orders-service', 'log4j'],
    ]);
    const start = config.flows[1]?.multiline?.startPattern;
    expect(start?.test('2026-05-04 10:15:02,123 ERROR [main] c.s.OrderService - failed')).to.equal(
      true,
    );
    expect(start?.test('\tat com.shop.OrderService.place(OrderService.java:42)')).to.equal(false);
    expect(start?.test('Caused by: java.net.SocketTimeoutException: Read timed out')).to.equal(
      false,
    );
  });

  it('IAM policies are valid JSON granting exactly the actions each command calls', async () => {
    const files = (await readdir(examples('iam'))).sort();
    expect(files).to.deep.equal(Object.keys(EXPECTED_ACTIONS).sort());
    for (const file of files) {
      const policy = JSON.parse(await readFile(examples(`iam/${file}`), 'utf8')) as Policy;
      expect(policy.Version, file).to.equal('2012-10-17');
      const actions = new Set<string>();
      for (const statement of policy.Statement) {
        expect(statement.Effect, file).to.equal('Allow');
        for (const resource of [statement.Resource].flat()) {
          expect(resource, file).to.match(
            /^arn:aws:(kinesis|dynamodb):[a-z0-9-]+:\d{12}:(stream|table)\/[\w.-]+$/,
          );
        }
        for (const action of statement.Action) actions.add(action);
      }
      expect([...actions].sort(), file).to.deep.equal(EXPECTED_ACTIONS[file]);
    }
  });

  it('systemd units and the crontab only use options the commands have', async function () {
    this.timeout(20_000);
    const files = [
      'systemd/kinlog-ship.service',
      'systemd/kinlog-analyze.service',
      'systemd/kinlog-report.service',
      'cron/kinlog.crontab',
    ];
    const helps = new Map<string, string>();
    let checked = 0;
    for (const file of files) {
      const invocations = kinlogInvocations(await readFile(examples(file), 'utf8'));
      expect(invocations.length, file).to.be.greaterThan(0);
      for (const { command, flags } of invocations) {
        if (!helps.has(command)) {
          const { stdout } = await run(process.execPath, [kinlogBin, command, '--help']);
          helps.set(command, stdout);
        }
        for (const flag of flags) {
          expect(helps.get(command), `${file}: kinlog ${command} ${flag}`).to.match(
            new RegExp(`(^|[\\s,])${flag}\\b`),
          );
          checked += 1;
        }
      }
    }
    expect(checked).to.be.greaterThan(10);
  });

  it('the unit runs kinlog ship on the example config and stops it with SIGTERM', async () => {
    const unit = await readFile(examples('systemd/kinlog-ship.service'), 'utf8');
    expect(unit).to.match(/^ExecStart=.*kinlog ship --config \/etc\/kinlog\/ship\.yaml/m);
    expect(unit).to.match(/^KillSignal=SIGTERM$/m);
    // kinlog ship ends a stop with 128 + n: systemd must not count it as a failure.
    expect(unit).to.match(/^SuccessExitStatus=143 130$/m);
    // Above the files kinlog keeps open (maxOpenFiles 512) plus its reserve for Kinesis.
    expect(Number(/^LimitNOFILE=(\d+)$/m.exec(unit)?.[1])).to.be.at.least(4096);
  });
});
