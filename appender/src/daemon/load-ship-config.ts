import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigError } from '@kinlog/core';
import { resolveShipConfig, type ShipConfig } from './ship-config.js';

/**
 * Reads a ship config file (YAML, or JSON: `.json` files are read as JSON, anything else as
 * YAML, which also reads JSON) and validates it. Every problem, syntax included, comes back in
 * one {@link ConfigError} that names the file.
 *
 * @example
 * ```ts
 * const config = await loadShipConfig('/etc/kinlog/ship.yaml');
 * ```
 */
export async function loadShipConfig(
  file: string,
  overrides: Record<string, unknown> = {},
): Promise<ShipConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      [{ path: '', message: `cannot read config file ${file}: ${(err as Error).message}` }],
      'invalid ship configuration',
    );
  }
  let raw: unknown;
  try {
    // The YAML parser is loaded only for a YAML file (not at start-up of every daemon).
    raw = extname(file) === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (err) {
    throw new ConfigError(
      [
        {
          path: '',
          message: `${file} is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
        },
      ],
      'invalid ship configuration',
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      [{ path: '', message: `${file} must hold an object with a "flows" list` }],
      'invalid ship configuration',
    );
  }
  try {
    return resolveShipConfig({ ...raw, ...stripUndefined(overrides) });
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new ConfigError(err.problems, `invalid ship configuration in ${file}`);
    }
    throw err;
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
