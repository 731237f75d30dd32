import { expect } from 'chai';
import { isLineChannel, LinePoster, type LinePort } from '../../../src/pino/line-channel.js';

/** A stand-in for thread-stream's `emit('message', …)`, recording what would reach the worker. */
function recordingPort() {
  const sent: { message: { code: string; bytes: Buffer }; transfer: ArrayBuffer[] }[] = [];
  const port: LinePort & { destroyed: boolean } = {
    destroyed: false,
    emit(_event, message, transferList) {
      sent.push({ message: message as { code: string; bytes: Buffer }, transfer: transferList });
      return true;
    },
  };
  return { port, sent };
}

describe('LinePoster', function () {
  it('posts text as UTF-8 bytes in memory of their own, moved (transferred), not copied', function () {
    const { port, sent } = recordingPort();
    const poster = new LinePoster(port);
    poster.post('{"msg":"é"}\n');
    poster.post('');
    poster.post('{"n":2}\n');
    expect(sent).to.have.length(2);
    for (const { message, transfer } of sent) {
      // Its own ArrayBuffer, whole: Node's shared pool of small Buffers cannot be transferred.
      expect(transfer).to.deep.equal([message.bytes.buffer]);
      expect(message.bytes.byteOffset).to.equal(0);
      expect(message.bytes.byteLength).to.equal(message.bytes.buffer.byteLength);
    }
    expect(sent.map((s) => s.message.bytes.toString('utf8'))).to.deep.equal([
      '{"msg":"é"}\n',
      '{"n":2}\n',
    ]);
    expect(sent[0]!.message.bytes.byteLength).to.equal(Buffer.byteLength('{"msg":"é"}\n'));
  });

  it('waits for the worker to put every message, and not for a worker that is gone', async function () {
    const { port } = recordingPort();
    const poster = new LinePoster(port);
    const put = new Int32Array(poster.shared);
    poster.waitPut(); // nothing posted: returns at once
    expect(poster.idle).to.equal(true);
    poster.post('a\n');
    poster.post('b\n');
    expect(poster.idle).to.equal(false);
    let resolved = false;
    const whenPut = poster.whenPut().then(() => (resolved = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(resolved).to.equal(false);
    Atomics.store(put, 0, 2);
    Atomics.notify(put, 0);
    await whenPut;
    poster.waitPut();
    expect(poster.idle).to.equal(true);
    poster.post('c\n');
    port.destroyed = true;
    poster.waitPut();
    await poster.whenPut();
    port.destroyed = false;
    // A worker that puts nothing more: the waits end after the stall bound all the same.
    poster.waitPut(20);
    await poster.whenPut(20);
    expect(Atomics.load(put, 0)).to.equal(2);
  });

  it('posts nothing to a stream whose worker is gone, or before it has one', function () {
    const { port, sent } = recordingPort();
    const poster = new LinePoster();
    poster.post('early\n');
    poster.attach(port);
    port.destroyed = true;
    poster.post('late\n');
    expect(sent).to.have.length(0);
  });

  it('tells its shared counter from other option values', function () {
    expect(isLineChannel(new LinePoster().shared)).to.equal(true);
    expect(isLineChannel(new SharedArrayBuffer(64))).to.equal(false);
    expect(isLineChannel({})).to.equal(false);
  });
});
