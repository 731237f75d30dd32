import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { ACCESS_JSON_WASM_BASE64 } from '../../../src/parsers/access-json-wasm-bytes.js';

/** core/ from dist/test/unit/parsers. */
const CORE = fileURLToPath(new URL('../../../../', import.meta.url));

describe('access-json-wasm-bytes', () => {
  it('is what the AssemblyScript source compiles to (run scripts/build-wasm.mjs after a change)', async function () {
    this.timeout(120_000); // a full optimizing compile, on a busy machine
    const source = readFileSync(`${CORE}assembly/access-json.ts`, 'utf8');
    const options = JSON.parse(
      readFileSync(`${CORE}assembly/asc-options.json`, 'utf8'),
    ) as asc.CompilerOptions;
    const result = await asc.compileString({ 'access-json.ts': source }, options);
    expect(result.error?.message).to.equal(undefined);
    expect(result.binary).to.not.equal(null);
    expect(Buffer.from(result.binary!).toString('base64')).to.equal(ACCESS_JSON_WASM_BASE64);
  });
});
