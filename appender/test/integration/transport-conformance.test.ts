/**
 * One conformance suite, run for the winston and the pino transport against local Kinesis.
 */
import { expect } from 'chai';
import { createTestStream, readAllRecords, type StreamRecord } from '@kinlog/testkit';
import { KinesisLimits } from '@kinlog/core';
import {
  CIRCULAR_MARKER,
  DEPTH_MARKER,
  TRUNCATED_FIELD,
  TRUNCATION_MARKER,
} from '../../src/index.js';
import {
  transportDrivers,
  type DriverOptions,
  type TransportDriver,
} from '../support/transport-drivers.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

type Event = Record<string, unknown>;

function events(records: StreamRecord[]): Event[] {
  return records.map((r) => JSON.parse(r.data.toString('utf8')) as Event);
}

function conformance(driver: TransportDriver): void {
  describe(`${driver.name} transport conformance`, function () {
    this.timeout(60_000);

    const open = (streamName: string, extra: Partial<DriverOptions> = {}) =>
      driver.open({ streamName, endpoint: endpoint(), flushIntervalMs: 50, ...extra });

    it('delivers events with level, msg, time and the logger fields intact', async () => {
      const streamName = await createTestStream(1);
      const logger = open(streamName);
      const before = Date.now();
      logger.log('error', 'payment failed', {
        page: '/checkout',
        status: 503,
        service: 'api',
        nested: { tags: ['a', 'b'], n: 1.5, ok: false },
      });
      logger.log('info', 'hello');
      await logger.close();
      const got = events(await readAllRecords({ streamName }));
      expect(got).to.have.length(2);
      const [error, info] = got as [Event, Event];
      expect(error).to.include({ level: 'error', msg: 'payment failed', page: '/checkout' });
      expect(error).to.include({ status: 503, service: 'api' });
      expect(error.nested).to.deep.equal({ tags: ['a', 'b'], n: 1.5, ok: false });
      expect(info).to.include({ level: 'info', msg: 'hello' });
      for (const e of got) {
        expect(e.time).to.be.a('string');
        expect(e.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        const t = Date.parse(e.time as string);
        expect(t).to.be.within(before - 1000, Date.now() + 1000);
      }
      expect(logger.problems()).to.deep.equal([]);
      expect(logger.stats()?.recordsSent).to.equal(2);
    });

    it('keys records by a field, so one key stays on one shard', async () => {
      const streamName = await createTestStream(2);
      const logger = open(streamName, { partitionKey: { field: 'user' } });
      for (let i = 0; i < 100; i++) logger.log('info', `event ${i}`, { user: `u${i % 5}` });
      logger.log('info', 'no user field');
      await logger.close();
      const records = await readAllRecords({ streamName });
      expect(records).to.have.length(101);
      const shardsByKey = new Map<string, Set<string>>();
      for (const r of records) {
        const event = JSON.parse(r.data.toString('utf8')) as Event;
        if (event.user === undefined) {
          // No field: a random key, never an empty one.
          expect(r.partitionKey).to.have.length.above(0);
          continue;
        }
        expect(r.partitionKey).to.equal(event.user);
        const set = shardsByKey.get(r.partitionKey) ?? new Set<string>();
        set.add(r.shardId);
        shardsByKey.set(r.partitionKey, set);
      }
      expect([...shardsByKey.keys()].sort()).to.deep.equal(['u0', 'u1', 'u2', 'u3', 'u4']);
      for (const shards of shardsByKey.values()) expect(shards.size).to.equal(1);
    });

    it('delivers 1,000 events exactly once each', async () => {
      const streamName = await createTestStream(2);
      const logger = open(streamName);
      for (let id = 0; id < 1000; id++) logger.log('info', 'counted', { id });
      await logger.close();
      const ids = events(await readAllRecords({ streamName })).map((e) => e.id as number);
      expect(ids).to.have.length(1000);
      expect(new Set(ids).size).to.equal(1000);
      expect(Math.min(...ids)).to.equal(0);
      expect(Math.max(...ids)).to.equal(999);
    });

    it('takes hostile events without throwing, each with a defined outcome', async () => {
      const streamName = await createTestStream(1);
      const logger = open(streamName, { partitionKey: { field: 'requestId' } });
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      const hugeMessage = 'x'.repeat(3 * 1024 * 1024);
      const invalidUtf8 = Buffer.from([0xff, 0xfe, 0x41]);
      const longKey = 'k'.repeat(300);
      const hostile: [string, Record<string, unknown>][] = [
        ['circular', { ctx: circular }],
        ['bigint', { big: 42n }],
        ['huge', {}],
        ['utf8', { payload: invalidUtf8 }],
        ['key', { requestId: longKey }],
        ['nullish', { a: null, b: undefined }],
      ];
      for (const [name, fields] of hostile) {
        const msg = name === 'huge' ? hugeMessage : name === 'utf8' ? invalidUtf8.toString() : name;
        expect(() => logger.log('warn', msg, { case: name, ...fields }), name).not.to.throw();
      }
      await logger.close();
      const records = await readAllRecords({ streamName });
      expect(records).to.have.length(hostile.length);
      const byCase = new Map<string, { event: Event; record: StreamRecord }>();
      for (const record of records) {
        expect(record.data.length + Buffer.byteLength(record.partitionKey)).to.be.at.most(
          KinesisLimits.MAX_RECORD_BYTES,
        );
        const event = JSON.parse(record.data.toString('utf8')) as Event;
        byCase.set(event.case as string, { event, record });
      }
      const get = (name: string): Event => byCase.get(name)!.event;

      expect(get('circular').ctx).to.deep.equal({ a: 1, self: '[Circular]' });
      // winston's copy carries the BigInt as a string, pino writes the digits: both read as 42.
      expect(String(get('bigint').big)).to.equal('42');
      const huge = get('huge');
      expect(huge.level).to.equal('warn');
      expect(huge.msg).to.be.a('string');
      expect((huge.msg as string).endsWith(TRUNCATION_MARKER)).to.equal(true);
      expect(huge[TRUNCATED_FIELD]).to.be.above(3 * 1024 * 1024);
      // Bytes that are not UTF-8 go as lossless base64; text decoded from them keeps its U+FFFD.
      expect(get('utf8').payload).to.deep.equal({ type: 'Buffer', base64: '//5B' });
      expect(get('utf8').msg).to.equal('\ufffd\ufffdA');
      const keyed = byCase.get('key')!;
      expect(keyed.record.partitionKey).to.equal('k'.repeat(256));
      expect(keyed.event.requestId).to.equal(longKey);
      const nullish = get('nullish');
      expect(nullish).to.have.property('a', null);
      expect(nullish).not.to.have.property('b');
      expect(logger.stats()?.truncated).to.equal(1);
      expect(logger.stats()?.droppedTotal).to.equal(0);
    });

    it('encodes each value type faithfully, each alone in its event', async () => {
      const streamName = await createTestStream(1);
      const logger = open(streamName);
      const root = Object.assign(new RangeError('disk full'), { code: 'ENOSPC' });
      const err = Object.assign(new TypeError('boom', { cause: root }), { status: 503 });
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      const cases: [string, unknown][] = [
        ['error', err],
        ['buffer', Buffer.from('héllo')],
        ['binary', Buffer.from([0xff, 0x00])],
        ['map', new Map([['k', 1]])],
        ['set', new Set(['a', 'b'])],
        ['bigint', 12345678901234567890n],
        ['date', new Date(Date.UTC(2024, 4, 1))],
        ['circular', circular],
      ];
      for (const [name, value] of cases) logger.log('error', name, { case: name, value });
      await logger.close();
      const byCase = new Map(events(await readAllRecords({ streamName })).map((e) => [e.case, e]));
      expect(byCase.size).to.equal(cases.length);
      const value = (name: string): unknown => byCase.get(name)?.value;
      const error = value('error') as Record<string, unknown> & { cause: Record<string, unknown> };
      expect(error).to.include({ name: 'TypeError', message: 'boom', status: 503 });
      expect(error.stack).to.be.a('string').and.contain('boom');
      expect(error.cause).to.include({ name: 'RangeError', message: 'disk full', code: 'ENOSPC' });
      expect(value('buffer')).to.equal('héllo');
      expect(value('binary')).to.deep.equal({ type: 'Buffer', base64: '/wA=' });
      expect(value('map')).to.deep.equal({ k: 1 });
      expect(value('set')).to.deep.equal(['a', 'b']);
      expect(value('bigint')).to.equal('12345678901234567890');
      expect(value('date')).to.equal('2024-05-01T00:00:00.000Z');
      expect(value('circular')).to.deep.equal({ a: 1, self: CIRCULAR_MARKER });
      for (const e of byCase.values()) expect(e).to.include({ level: 'error', msg: e.case });
    });

    it('keeps level, msg, status and time of a very deep event and cuts the deep part', async () => {
      const streamName = await createTestStream(1);
      const logger = open(streamName);
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 10_000; i++) deep = { a: deep };
      logger.log('error', 'too deep', { status: 500, deep });
      await logger.close();
      const [event] = events(await readAllRecords({ streamName }));
      expect(event).to.include({ level: 'error', msg: 'too deep', status: 500 });
      expect(event!.time).to.be.a('string');
      expect(JSON.stringify(event!.deep)).to.contain(DEPTH_MARKER);
    });

    it('reports a missing stream once, naming stream and endpoint, and closes', async () => {
      const streamName = `missing-${driver.name}-${Date.now()}`;
      const logger = open(streamName, { shutdownTimeoutMs: 5_000 });
      for (let i = 0; i < 5; i++) {
        expect(() => logger.log('error', `lost ${i}`)).not.to.throw();
      }
      await logger.flush();
      for (let i = 0; i < 5; i++) logger.log('error', `lost again ${i}`);
      await logger.close();
      const problems = logger.problems();
      expect(problems, JSON.stringify(problems)).to.have.length(1);
      expect(problems[0]!.message).to.include(streamName).and.to.include(endpoint());
      expect(logger.stats()?.dropped.rejected).to.equal(10);
      expect(logger.stats()?.recordsSent).to.equal(0);
    });
  });
}

for (const driver of transportDrivers) conformance(driver);
