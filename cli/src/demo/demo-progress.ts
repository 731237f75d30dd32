import type { Writable } from 'node:stream';
import type { DemoIncident } from './demo-incidents.js';

const numberFormat = new Intl.NumberFormat('en-US');

/**
 * The demo's own output: short lines, one per step, readable in a terminal and in a CI log
 * (no cursor movement, so nothing is lost when piped).
 *
 * @example
 * ```ts
 * const progress = new DemoProgress(process.stdout, Date.now());
 * progress.step('stream kinlog-demo ready');
 * ```
 */
export class DemoProgress {
  constructor(
    private readonly out: Writable,
    private readonly startedMs: number,
  ) {}

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  /** A finished step, stamped with the time since the start. */
  step(text: string): void {
    this.line(`[${this.elapsed()}] ✓ ${text}`);
  }

  /** Something in progress or a count. */
  note(text: string): void {
    this.line(`[${this.elapsed()}]   ${text}`);
  }

  warn(text: string): void {
    this.line(`[${this.elapsed()}] ! ${text}`);
  }

  elapsed(): string {
    return `${((Date.now() - this.startedMs) / 1000).toFixed(1).padStart(5)}s`;
  }
}

/**
 * `12,345`.
 *
 * @example
 * ```ts
 * count(12345); // '12,345'
 * ```
 */
export function count(n: number): string {
  return numberFormat.format(n);
}

/**
 * One incident as a phase header shows it.
 *
 * @example
 * ```ts
 * describeIncident(DemoIncidents[0]); // '/checkout in EU answers 503 (payment gateway unavailable) [winston]'
 * ```
 */
export function describeIncident(incident: DemoIncident): string {
  return `${incident.page} in ${incident.region} answers ${incident.status} (${incident.message}) [${incident.source}]`;
}
