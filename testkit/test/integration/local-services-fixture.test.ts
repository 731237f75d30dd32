import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mochaBin = join(
  dirname(createRequire(import.meta.url).resolve('mocha/package.json')),
  'bin/mocha.js',
);
const spec = fileURLToPath(new URL('./fixtures/uses-local-services.spec.js', import.meta.url));

async function runMocha(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [mochaBin, '--reporter', 'dot', ...args, spec], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_KINESIS: '',
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('@kinlog/testkit/local-services-fixture', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  it('gives a whole mocha run local services through --require, and ends with it', async function () {
    const run = await runMocha(['--require', '@kinlog/testkit/local-services-fixture']);
    expect(run.output).to.contain('1 passing');
    expect(run.code).to.equal(0);
  });

  it('is what makes the suite pass', async function () {
    const run = await runMocha([]);
    expect(run.code).to.not.equal(0);
  });
});
