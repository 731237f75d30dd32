/**
 * `kinlog ship --wire-protocol`: by default (`auto`) JSON to an endpoint that is not AWS's own
 * (a local emulator may mishandle CBOR), CBOR or JSON when asked (flag or config file), every
 * line delivered once either way; a bad value is a usage error naming the flag.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNullKinesis, type NullKinesis } from '@kinlog/testkit';
import { tempDir } from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';

const LINES = 3_000;

/** Ships one file to a verifying null endpoint with `flags`; answers its counters. */
async function ship(flags: string[], config?: object): Promise<NullKinesis> {
  const endpoint = await startNullKinesis({
    verifyKey: (payload) => /"msg":"line (\d+)/.exec(payload.toString())?.[1] ?? undefined,
  });
  const dir = await tempDir('ship-wire-');
  const file = join(dir, 'app.log');
  let text = '';
  for (let i = 0; i < LINES; i++) text += `{"msg":"line ${i} caf\u00e9"}\n`;
  writeFileSync(file, text);
  const args = ['--once', '--state-dir', join(dir, 'state'), '--endpoint', endpoint.url];
  if (config === undefined) args.push('--stream', 'logs', ...flags, file);
  else {
    const configFile = join(dir, 'ship.json');
    writeFileSync(
      configFile,
      JSON.stringify({ ...config, flows: [{ paths: [file], stream: 'logs' }] }),
    );
    args.push('--config', configFile, ...flags);
  }
  const proc = spawnShip(args);
  expect((await proc.exited).code, proc.output()).to.equal(0);
  const { byKey, payloads } = endpoint.received();
  expect(payloads).to.equal(LINES);
  expect(byKey.size).to.equal(LINES);
  expect([...byKey.values()].every((n) => n === 1)).to.equal(true);
  await endpoint.close();
  return endpoint;
}

describe('kinlog ship --wire-protocol (integration)', function () {
  this.timeout(90_000);

  it('sends JSON to a local endpoint by default, CBOR or JSON when the flag or the config file asks', async () => {
    const byDefault = (await ship([])).stats();
    expect(byDefault.putRequests).to.be.greaterThan(0);
    expect(byDefault.cborPutRequests).to.equal(0);
    const cbor = (await ship(['--wire-protocol', 'cbor'])).stats();
    expect(cbor.putRequests).to.be.greaterThan(0);
    expect(cbor.cborPutRequests).to.equal(cbor.putRequests);
    const configured = (await ship([], { sink: { wireProtocol: 'cbor' } })).stats();
    expect(configured.cborPutRequests).to.equal(configured.putRequests);
    const json = (
      await ship(['--wire-protocol', 'json'], { sink: { wireProtocol: 'cbor' } })
    ).stats();
    expect(json.putRequests).to.be.greaterThan(0);
    expect(json.cborPutRequests).to.equal(0);
    // CBOR carries the record bytes raw: fewer request bytes than base64 in JSON.
    expect(cbor.bytes).to.be.lessThan(byDefault.bytes * 0.85);
  });

  it('rejects an unknown wire protocol, naming the flag and the choices', async () => {
    const proc = spawnShip(['--stream', 's', '--wire-protocol', 'xml', 'a.log']);
    expect((await proc.exited).code).to.not.equal(0);
    expect(proc.output()).to.match(/--wire-protocol.*auto, cbor, json/);
  });
});
