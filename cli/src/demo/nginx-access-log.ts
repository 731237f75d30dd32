import { appendFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimulatedRequest } from './demo-traffic.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'curl/8.5.0',
] as const;

/**
 * The edge proxy's access log: requests become nginx "combined" lines appended to
 * `<dir>/access.log`, rotated the logrotate way (rename to `access.log.1`, new file).
 *
 * @example
 * ```ts
 * const log = new NginxAccessLog('/tmp/nginx');
 * log.log(request);
 * await log.write();
 * await log.rotate();
 * ```
 */
export class NginxAccessLog {
  logged = 0;
  readonly file: string;
  private pending: string[] = [];

  constructor(readonly dir: string) {
    this.file = join(dir, 'access.log');
  }

  /** Paths the ship daemon follows: the live file and its rotated predecessor. */
  get glob(): string {
    return join(this.dir, 'access.log*');
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.file, '');
  }

  log(request: SimulatedRequest): void {
    this.logged += 1;
    this.pending.push(combinedLine(request, this.logged));
  }

  /** Appends what was logged since the last write, in one write. */
  async write(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await appendFile(this.file, text);
  }

  /** Rename + create, as logrotate does without copytruncate. */
  async rotate(): Promise<void> {
    await this.write();
    await rename(this.file, `${this.file}.1`);
    await appendFile(this.file, '');
  }
}

function combinedLine(r: SimulatedRequest, n: number): string {
  const t = r.time;
  const pad = (v: number): string => String(v).padStart(2, '0');
  const stamp = `${pad(t.getUTCDate())}/${MONTHS[t.getUTCMonth()] ?? 'Jan'}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
  const agent = AGENTS[n % AGENTS.length] ?? AGENTS[0];
  return `${r.clientIp} - - [${stamp}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${agent}"\n`;
}
