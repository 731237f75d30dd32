import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  CliReference,
  renderCliReference,
  withCliReference,
} from '../../../src/docs/cli-reference.js';
import { kinlogProgram, kinlogSubcommands } from '../../../src/kinlog-program.js';

const readmePath = fileURLToPath(new URL('../../../../../README.md', import.meta.url));

function reference(): string {
  const context = {
    signal: new AbortController().signal,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
  };
  return renderCliReference(kinlogProgram(context));
}

describe('CLI reference in README.md', () => {
  it('is what every command’s --help says today (run `npm run docs` after changing options)', async () => {
    const readme = await readFile(readmePath, 'utf8');
    expect(
      withCliReference(readme, reference()) === readme,
      'README.md CLI reference is out of date: run `npm run docs`',
    ).to.equal(true);
  });

  it('covers every subcommand and every option', () => {
    const text = reference();
    const context = {
      signal: new AbortController().signal,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
    };
    for (const factory of kinlogSubcommands) {
      const command = factory(context);
      expect(text).to.include(`### \`kinlog ${command.name()}\``);
      for (const option of command.options) expect(text).to.include(option.long ?? option.flags);
    }
  });

  it('replaces only the text between the markers, and refuses a README without them', () => {
    const readme = `intro\n${CliReference.BEGIN}\nold\n${CliReference.END}\noutro\n`;
    expect(withCliReference(readme, 'new')).to.equal(
      `intro\n${CliReference.BEGIN}\n\nnew\n\n${CliReference.END}\noutro\n`,
    );
    expect(() => withCliReference('no markers', 'new')).to.throw(/no CLI reference markers/);
  });
});
