import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnShip, type ShipProcess } from './ship-process.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

/** `count` files of `dir/logs`, one line each: "<tag> <n>". */
export function writeFiles(dir: string, count: number, tag: string): string {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  for (let n = 0; n < count; n++) writeFileSync(join(logs, `f${n}.log`), `${tag} ${n}\n`);
  return join(logs, '*.log');
}

/** Runs `kinlog ship` under `ulimit -n <limit>`. */
export function shipUnderLimit(
  limit: number,
  configFile: string,
  extra: string[] = [],
): ShipProcess {
  return spawnShip(['--config', configFile, ...extra], {
    KINLOG_FIXTURE_ULIMIT_N: String(limit),
  });
}

export function configFor(dir: string, stream: string, glob: string): string {
  const file = join(dir, 'ship.json');
  writeFileSync(
    file,
    JSON.stringify({
      endpoint: endpoint(),
      stateDir: join(dir, 'state'),
      pollIntervalMs: 50,
      statsIntervalMs: 0,
      sink: { flushIntervalMs: 20 },
      flows: [{ paths: [glob], stream }],
    }),
  );
  return file;
}
