import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateDirError } from '../errors.js';

//   save(state) ─► write ship-state.json.tmp ─► fsync ─► rename over ship-state.json ─► fsync dir
//
// A crash at any point leaves either the old or the new file, never a torn one. Saves are
// serialized; a save asked for while one runs is coalesced into the next one.

/** File name of the state inside the state directory. */
export const STATE_FILE_NAME = 'ship-state.json';
const STATE_VERSION = 1;
const MAX_DIR_DEPTH = 64;

/** The committed position of one file. */
export interface FileState {
  flow: string;
  path: string;
  dev: number;
  ino: number;
  /** Base64 of the file's first bytes. */
  fingerprint: string;
  /** Every byte before this offset is acknowledged by Kinesis. */
  offset: number;
}

/** What the state file holds. */
export interface ShipState {
  version: typeof STATE_VERSION;
  files: FileState[];
}

/**
 * Keeps the daemon's offsets in `<stateDir>/ship-state.json`, written atomically and durably.
 *
 * @example
 * ```ts
 * const store = await StateStore.open('/var/lib/kinlog');
 * await store.save({ version: 1, files: [] });
 * ```
 */
export class StateStore {
  readonly file: string;
  private running: Promise<void> | undefined;
  private next: ShipState | undefined;
  private lastWritten = '';
  /** Problems while loading (a corrupt file set aside), for the caller to report. */
  readonly warnings: string[] = [];

  private constructor(
    readonly dir: string,
    readonly loaded: ShipState,
  ) {
    this.file = join(dir, STATE_FILE_NAME);
  }

  /**
   * Creates the directory if needed, proves it writable, and loads the last state.
   *
   * @throws {StateDirError} when the directory cannot be created or written.
   */
  static async open(dir: string): Promise<StateStore> {
    try {
      await ensureDir(dir, MAX_DIR_DEPTH);
      await access(dir, constants.W_OK | constants.X_OK);
      const probe = join(dir, `.probe-${process.pid}`);
      const handle = await open(probe, 'w');
      await handle.close();
      await unlink(probe);
    } catch (err) {
      throw new StateDirError(dir, (err as NodeJS.ErrnoException).code ?? String(err), err);
    }
    const warnings: string[] = [];
    const loaded = await load(join(dir, STATE_FILE_NAME), warnings);
    const store = new StateStore(dir, loaded);
    store.warnings.push(...warnings);
    return store;
  }

  /** Writes `state` (or coalesces it with a running write). Resolves once it is durable. */
  async save(state: ShipState): Promise<void> {
    this.next = state;
    while (this.running !== undefined) await this.running;
    const pending = this.next;
    if (pending === undefined) return;
    this.next = undefined;
    const text = JSON.stringify(pending);
    if (text === this.lastWritten) return;
    this.running = this.write(text).finally(() => {
      this.running = undefined;
    });
    await this.running;
    this.lastWritten = text;
  }

  private async write(text: string): Promise<void> {
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    // The rename is only durable once the directory entry is.
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}

async function load(file: string, warnings: string[]): Promise<ShipState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { version: STATE_VERSION, files: [] };
    throw new StateDirError(file, (err as NodeJS.ErrnoException).code ?? String(err), err);
  }
  try {
    const parsed = JSON.parse(text) as ShipState;
    if (parsed.version !== STATE_VERSION || !Array.isArray(parsed.files))
      throw new Error('unknown layout');
    return parsed;
  } catch (err) {
    // Never started over silently: keep the bad file for inspection and say so.
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    warnings.push(
      `state file ${file} was unreadable (${String(err)}); moved to ${aside}, starting without offsets`,
    );
    return { version: STATE_VERSION, files: [] };
  }
}

/**
 * `mkdir -p` with a bound: Node's own `recursive: true` spins forever on some special
 * filesystems (a path under /proc), and a state directory there must fail, not hang.
 */
async function ensureDir(dir: string, depth: number): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || depth <= 0 || parent === dir) throw err;
    await ensureDir(parent, depth - 1);
    await mkdir(dir);
  }
}
