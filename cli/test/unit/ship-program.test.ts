import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { Command } from 'commander';
import { kinlogProgram } from '../../src/kinlog-program.js';
import { shipProgram } from '../../src/ship-program.js';

const sink = (): Writable =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

function contextOf() {
  return { signal: new AbortController().signal, stdout: sink(), stderr: sink() };
}

function ship(program: Command): Command {
  const command = program.commands.find((c) => c.name() === 'ship');
  expect(command, 'a ship subcommand').to.not.equal(undefined);
  return command!;
}

describe('shipProgram', () => {
  it('is the whole program as `kinlog ship` sees it: the same root and the same ship command', () => {
    const whole = kinlogProgram(contextOf());
    const lean = shipProgram(contextOf());
    expect(lean.commands.map((c) => c.name())).to.deep.equal(['ship']);
    expect(lean.name()).to.equal(whole.name());
    expect(lean.description()).to.equal(whole.description());
    expect(lean.version()).to.equal(whole.version());
    expect(ship(lean).helpInformation()).to.equal(ship(whole).helpInformation());
    const options = (c: Command): string[] =>
      c.options.map((o) => `${o.flags} ${o.description} ${JSON.stringify(o.defaultValue)}`);
    expect(options(ship(lean))).to.deep.equal(options(ship(whole)));
  });
});
