import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { awsClientConfig, ConfigError } from '@kinlog/core';
import { expect } from 'chai';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { IterationNotFoundError } from '../../src/errors.js';
import { sampleStoredReport } from '../support/report-fixtures.js';
import { runReport, seedCommittedReport } from '../support/report-email-fixtures.js';
import { freshTables } from '../support/stream-fixtures.js';

describe('kinlog report', function () {
  this.timeout(30_000);
  let store: DynamoCheckpointStore;
  let tables: ReturnType<typeof freshTables>;
  const common = (): string[] => ['--name', 'web', '--iterations-table', tables.iterationsTable];

  before(async () => {
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    await store.createTables();
    await seedCommittedReport(store, sampleStoredReport('web', 1));
    await seedCommittedReport(store, sampleStoredReport('web', 2));
    // Iteration 3 is running: --latest must skip it.
    await store.claimIteration('web', 3, 'logs', 'someone', 60_000);
  });

  after(() => store.close());

  it('prints the latest committed iteration as a table by default', async () => {
    const { stdout } = await runReport(common());
    expect(stdout).to.match(/^kinlog report web #2 · stream logs/);
    expect(stdout.split('\n').filter((l) => /^\s*\d+\s+(EU|US|APAC|SA)\s/.test(l))).to.have.length(
      10,
    );
  });

  it('writes JSON, CSV and HTML to --out, with --top', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-report-'));
    try {
      for (const format of ['json', 'csv', 'html']) {
        const out = join(dir, `r.${format}`);
        await runReport([
          ...common(),
          '--iteration',
          '1',
          '--format',
          format,
          '--out',
          out,
          '--top',
          '3',
        ]);
        const text = await readFile(out, 'utf8');
        if (format === 'json')
          expect((JSON.parse(text) as { rows: unknown[] }).rows).to.have.length(3);
        // header and 3 rows, then (after an empty line) records per format
        if (format === 'csv') expect(text.split('\r\n\r\n')[0]!.split('\r\n')).to.have.length(4);
        if (format === 'html') expect(text).to.match(/^<!DOCTYPE html>/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('joins page owners from a DynamoDB table', async () => {
    const ownersTable = `owners-${process.pid}-${Date.now().toString(36)}`;
    const client = new DynamoDBClient(awsClientConfig());
    try {
      await client.send(
        new CreateTableCommand({
          TableName: ownersTable,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'page', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'page', KeyType: 'HASH' }],
        }),
      );
      while (
        (await client.send(new DescribeTableCommand({ TableName: ownersTable }))).Table
          ?.TableStatus !== 'ACTIVE'
      )
        await delay(20);
      await client.send(
        new PutItemCommand({
          TableName: ownersTable,
          Item: { page: { S: '/checkout' }, owner: { S: 'ana' }, team: { S: 'payments' } },
        }),
      );
    } finally {
      client.destroy();
    }
    const { stdout } = await runReport([
      ...common(),
      '--format',
      'json',
      '--owners-table',
      ownersTable,
    ]);
    const rows = (
      JSON.parse(stdout) as { rows: { page: string; owner: string | null; team: string | null }[] }
    ).rows;
    expect(rows[0]).to.include({ page: '/checkout', owner: 'ana', team: 'payments' });
    expect(rows[1]).to.include({ owner: null, team: null });
  });

  it('refuses an iteration that is not committed', async () => {
    try {
      await runReport([...common(), '--iteration', '3']);
      expect.fail('reported a running iteration');
    } catch (err) {
      expect(err).to.be.instanceOf(IterationNotFoundError);
    }
  });

  it('reports every invalid option at once, without echoing the SMTP password', async () => {
    try {
      await runReport([
        '--name',
        'bad name',
        '--top',
        '99',
        '--iteration',
        '2',
        '--latest',
        '--email',
        'not-an-address',
        '--smtp-url',
        'ftp://u:topsecret@h',
        '--smtp-port',
        '25',
      ]);
      expect.fail('accepted invalid options');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const paths = (err as ConfigError).problems.map((p) => p.path);
      expect(paths).to.include.members(['--name', '--top', '--latest', '--email', '--smtp-url']);
      expect((err as Error).message).not.to.include('topsecret');
    }
  });
});
