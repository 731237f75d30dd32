import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { closeLogger } from '@kinlog/appender';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import { createShopLogger } from '../src/shop-logger.js';
import { createShopServer } from '../src/shop-server.js';

describe('example: winston in an HTTP app', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  it('logs every request it served into the stream, with path, status, level and region', async () => {
    const streamName = await createTestStream(1);
    const logger = createShopLogger({ streamName, flushIntervalMs: 50 });
    const server = createShopServer(logger).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    for (const path of ['/', '/checkout', '/nowhere?x=1']) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-region': 'EU' } });
      await res.text();
    }
    server.close();
    await closeLogger(logger);

    const events = (await readAllRecords({ streamName })).map(
      (r) => JSON.parse(r.data.toString('utf8')) as Record<string, unknown>,
    );
    const byPath = new Map(events.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).to.deep.equal(['/', '/checkout', '/nowhere?x=1']);
    expect(byPath.get('/checkout')).to.include({
      level: 'error',
      status: 503,
      region: 'EU',
      service: 'shop',
    });
    expect(byPath.get('/nowhere?x=1')).to.include({ level: 'warn', status: 404 });
    expect(byPath.get('/')).to.include({ level: 'info', status: 200, msg: 'GET / 200' });
  });
});
