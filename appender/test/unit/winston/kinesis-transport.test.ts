import { expect } from 'chai';
import winston from 'winston';
import { SinkDefaults, type KinesisSinkOptions } from '../../../src/sink/sink-options.js';
import { EVENT_RUN_BYTES, EVENT_RUN_LINES } from '../../../src/winston/event-run.js';
import { KinesisTransport } from '../../../src/winston/kinesis-transport.js';
import { settle } from '../sink/support/fake-clock.js';
import { FakePutRecords } from '../sink/support/fake-put-records.js';
import { bigInfos, infoOf, oddInfos } from './support/odd-infos.js';

type Event = Record<string, unknown>;

const base = { streamName: 'logs', region: 'us-east-1', flushIntervalMs: 60_000 } as const;

interface Opened {
  transport: KinesisTransport;
  client: FakePutRecords;
}

function open(options: Partial<KinesisSinkOptions> = {}): Opened {
  const client = new FakePutRecords();
  const transport = new KinesisTransport({ ...base, ...options }, { client });
  return { transport, client };
}

/**
 * The careful path, as the transport takes it with a key of the caller's: each event goes in
 * alone through sink.put(). Its keys are random too (the function gives none).
 */
function openOneByOne(options: Partial<KinesisSinkOptions> = {}): Opened {
  return open({ ...options, partitionKey: () => undefined });
}

/** Logs every info synchronously (one tick), then closes: what the client received, in order. */
async function sentThrough(
  { transport, client }: Opened,
  infos: Record<string, unknown>[],
): Promise<string[]> {
  for (const info of infos) transport.log(info);
  await transport.close();
  return client.sentEntries.map((e) => e.data.toString('latin1'));
}

/** Each odd info between request logs, so that it lands inside a run. */
function mixed(infos: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  infos.forEach((info, i) => {
    out.push(infoOf('info', `before ${i}`, { i }), info, infoOf('info', `after ${i}`, { i }));
  });
  return out;
}

describe('KinesisTransport', () => {
  describe('events gathered into runs, against each event put alone', () => {
    for (const oversize of ['truncate', 'drop'] as const) {
      it(`sends the same records, byte for byte, for odd and oversized events (oversize: ${oversize})`, async () => {
        // One set of infos for both (the transport reads them only): errors keep one stack.
        const infos = mixed([...oddInfos(), ...bigInfos()].map((o) => o.info));
        const runs = open({ oversize });
        const alone = openOneByOne({ oversize });
        const viaRuns = await sentThrough(runs, infos);
        const viaAlone = await sentThrough(alone, infos);
        expect(viaRuns.length).to.be.above(3 * oddInfos().length);
        expect(viaRuns).to.deep.equal(viaAlone);
        expect(runs.client.runEntries).to.be.above(0);
        expect(alone.client.runEntries).to.equal(0);
        const [a, b] = [runs.transport.stats(), alone.transport.stats()];
        expect([a.truncated, a.dropped, a.recordsSent]).to.deep.equal([
          b.truncated,
          b.dropped,
          b.recordsSent,
        ]);
        expect(oversize === 'drop' ? a.dropped.oversize : a.truncated).to.be.above(0);
      });
    }

    it('sends the same records in order across many runs (line and byte limits)', async () => {
      const infos = Array.from({ length: EVENT_RUN_LINES * 3 + 7 }, (_, i) =>
        infoOf('info', i % 97 === 0 ? 'é'.repeat(EVENT_RUN_BYTES / 5) : `event ${i}`, { i }),
      );
      const runs = open();
      const viaRuns = await sentThrough(runs, infos);
      const viaAlone = await sentThrough(openOneByOne(), infos);
      expect(viaRuns).to.have.length(EVENT_RUN_LINES * 3 + 7);
      expect(viaRuns).to.deep.equal(viaAlone);
      expect(runs.client.runEntries).to.be.above(3);
    });

    for (const whenFull of ['dropOldest', 'dropNewest'] as const) {
      it(`drops the same records when the buffer is full (whenFull: ${whenFull})`, async () => {
        const options = { whenFull, maxBufferBytes: SinkDefaults.MIN_BUFFER_BYTES };
        const infos = Array.from({ length: 12_000 }, (_, i) => infoOf('info', `event ${i}`, { i }));
        const runs = open(options);
        const alone = openOneByOne(options);
        // Nothing is acknowledged while the events come: the buffer fills and drops.
        runs.client.hold = alone.client.hold = true;
        for (const { transport } of [runs, alone]) for (const info of infos) transport.log(info);
        const [a, b] = [runs.transport.stats(), alone.transport.stats()];
        expect(a.dropped.bufferFull).to.be.above(0);
        expect(a.dropped).to.deep.equal(b.dropped);
        runs.client.hold = alone.client.hold = false;
        runs.client.release();
        alone.client.release();
        const [viaRuns, viaAlone] = await Promise.all(
          [runs, alone].map(async ({ transport, client }) => {
            await transport.close();
            return client.sentEntries.map((e) => e.data.toString('latin1'));
          }),
        );
        expect(viaRuns).to.deep.equal(viaAlone);
      });
    }
  });

  it('keeps level and msg of an info whose getter throws, as each event alone does', async () => {
    const hostile = (): Record<string, unknown> => {
      const info = infoOf('warn', 'hostile');
      Object.defineProperty(info, 'bad', {
        enumerable: true,
        get: () => {
          throw new Error('getter');
        },
      });
      return info;
    };
    const strip = (lines: string[]) =>
      lines.map((l) => {
        const { time, ...rest } = JSON.parse(l) as Record<string, unknown>;
        expect(time).to.be.a('string');
        return rest;
      });
    const viaRuns = strip(await sentThrough(open(), [hostile()]));
    const viaAlone = strip(await sentThrough(openOneByOne(), [hostile()]));
    expect(viaRuns).to.deep.equal([{ level: 'warn', msg: 'hostile' }]);
    expect(viaRuns).to.deep.equal(viaAlone);
  });

  it('counts the events of the current tick in stats()', async () => {
    const { transport } = open();
    for (let i = 0; i < 3; i++) transport.log(infoOf('info', `event ${i}`));
    expect(transport.stats().recordsPut).to.equal(3);
    await transport.close();
    expect(transport.stats().recordsSent).to.equal(3);
  });

  it('hands the events of a tick to the sink once the tick ends', async () => {
    const { transport } = open();
    transport.log(infoOf('info', 'one'));
    transport.log(infoOf('info', 'two'));
    await Promise.resolve();
    expect(transport.sink.stats().recordsPut).to.equal(2);
    await transport.close();
  });

  it('drops (and counts) events logged after close', async () => {
    const { transport, client } = open();
    await transport.close();
    let called = 0;
    transport.log(infoOf('info', 'late'), () => called++);
    expect(called).to.equal(1);
    expect(transport.stats().dropped.closed).to.equal(1);
    expect(client.sentEntries).to.have.length(0);
  });

  it('with whenFull: block, holds winston back while the buffer is full, then delivers all', async () => {
    const client = new FakePutRecords();
    client.hold = true;
    const maxBufferBytes = SinkDefaults.MIN_BUFFER_BYTES;
    const transport = new KinesisTransport(
      { ...base, whenFull: 'block', maxBufferBytes, flushIntervalMs: 10 },
      { client },
    );
    const logger = winston.createLogger({ transports: [transport] });
    const events = 8_000; // about 3 MiB of records: three times the buffer
    for (let i = 0; i < events; i++) logger.info(`event ${i}`, { i, pad: 'p'.repeat(300) });
    await settle();
    const held = transport.stats();
    // Held back at the bound (one run over at most), the rest waits in winston's streams.
    expect(held.bufferedBytes).to.be.at.least(maxBufferBytes);
    expect(held.bufferedBytes).to.be.below(maxBufferBytes + 2 * EVENT_RUN_BYTES);
    expect(held.recordsPut).to.be.below(events);
    expect(logger.writableLength + transport.writableLength).to.be.above(0);
    client.hold = false;
    client.release();
    const finished = new Promise((resolve) => transport.once('finish', resolve));
    logger.end();
    await finished;
    const ids = client.sentEntries.map((e) => (JSON.parse(e.data.toString()) as { i: number }).i);
    expect(ids).to.deep.equal(Array.from({ length: events }, (_, i) => i));
    expect(transport.stats().droppedTotal).to.equal(0);
  });

  describe('write() while the stream is idle', () => {
    it('logs the event at once and reports true, queueing nothing', async () => {
      const { transport, client } = open();
      const logged: unknown[] = [];
      transport.on('logged', (info) => logged.push(info));
      const info = infoOf('info', 'direct');
      expect(transport.write(info)).to.equal(true);
      expect(logged).to.deep.equal([info]);
      expect(transport.writableLength).to.equal(0);
      expect(transport.stats().recordsPut).to.equal(1);
      const finished = new Promise((resolve) => transport.once('finish', resolve));
      transport.end();
      await finished;
      expect(client.sentEntries).to.have.length(1);
    });

    it('leaves no per-write work behind for the next tick (the Writable defers an afterWrite)', async () => {
      const { transport } = open();
      transport.write(infoOf('info', 'warm-up'));
      // Put back exactly as it was (the property, not a bound copy of it).
      const original = Object.getOwnPropertyDescriptor(process, 'nextTick')!;
      const nextTick = process.nextTick.bind(process);
      let deferred = 0;
      process.nextTick = ((...args: Parameters<typeof nextTick>) => {
        deferred++;
        nextTick(...args);
      }) as typeof process.nextTick;
      try {
        for (let i = 0; i < 10; i++) transport.write(infoOf('info', `event ${i}`));
      } finally {
        Object.defineProperty(process, 'nextTick', original);
      }
      expect(deferred).to.equal(0);
      expect(transport.stats().recordsPut).to.equal(11);
      await transport.close();
    });

    it('still filters by the transport’s level, as winston-transport does', async () => {
      const client = new FakePutRecords();
      const transport = new KinesisTransport({ ...base, level: 'warn' }, { client });
      const logger = winston.createLogger({ level: 'debug', transports: [transport] });
      logger.info('too low');
      logger.error('kept');
      await transport.close();
      const msgs = client.sentEntries.map((e) => (JSON.parse(e.data.toString()) as Event).msg);
      expect(msgs).to.deep.equal(['kept']);
    });

    it('takes the Writable’s path for a write with a callback, and calls it', async () => {
      const { transport } = open();
      const called = new Promise<unknown>((resolve) =>
        transport.write(infoOf('info', 'with callback'), resolve),
      );
      expect(await called).to.equal(undefined);
      expect(transport.stats().recordsPut).to.equal(1);
      await transport.close();
    });

    it('fails a write after end as a Writable does', async () => {
      const { transport } = open();
      const errors: Error[] = [];
      transport.on('error', (err: Error) => errors.push(err));
      transport.end();
      transport.write(infoOf('info', 'late'));
      await settle();
      expect(errors.map((e) => e.message)).to.deep.equal(['write after end']);
      expect(transport.stats().recordsPut).to.equal(0);
    });
  });

  it('puts each event alone under a key of the caller’s, and keys it', async () => {
    const { transport, client } = open({ partitionKey: { field: 'user' } });
    transport.log(infoOf('info', 'a', { user: 'u1' }));
    transport.log(infoOf('info', 'b', { user: 'u2' }));
    await transport.close();
    expect(client.sentEntries.map((e) => e.partitionKey)).to.deep.equal(['u1', 'u2']);
    expect(client.runEntries).to.equal(0);
  });
});
