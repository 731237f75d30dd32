import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/** Golden files live in the source tree (tests run from dist/test/unit/report). */
const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/report/', import.meta.url));

/**
 * Compares `actual` with the golden file; `UPDATE_GOLDEN=1` rewrites it instead.
 *
 * @example
 * ```ts
 * await expectGolden('table.txt', renderTable(view));
 * ```
 */
export async function expectGolden(file: string, actual: string): Promise<void> {
  const path = FIXTURES + file;
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(path, actual);
  expect(actual).to.equal(await readFile(path, 'utf8'));
}
