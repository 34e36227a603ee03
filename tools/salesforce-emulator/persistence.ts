import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { EmulatorLogger } from './logger';
import { tokenStateSchema } from './oauth';
import { storeStateSchema } from './store';

export const DATA_FILE_NAME = 'salesforce-emulator.json';
const FORMAT = 'handoff-salesforce-emulator/1';
const MIN_DELAY_MS = 25;
/** Keeps serialising a large store from taking more than about a fifth of the event loop. */
const DELAY_PER_WRITE_MS = 4;

export const persistedStateSchema = z.object({
  format: z.literal(FORMAT),
  orgId: z.string(),
  apiCalls: z.number().int().nonnegative(),
  store: storeStateSchema,
  tokens: tokenStateSchema,
});
export type PersistedState = Omit<z.infer<typeof persistedStateSchema>, 'format'>;

export function loadPersistedState(file: string): PersistedState | null {
  if (!existsSync(file)) return null;
  const parsed = persistedStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file} is not a salesforce-emulator data file this version can read (move it away to start empty): ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Write-through persistence: every change schedules a write a few milliseconds later, so a burst
 * of changes costs one write; the delay grows with the time the last write took. Writes go to a
 * temporary file renamed over the data file, so a crash never leaves a half-written file.
 */
export class Persister {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastWriteMs = 0;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => PersistedState,
    private readonly logger: EmulatorLogger,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
  }

  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, Math.max(MIN_DELAY_MS, this.lastWriteMs * DELAY_PER_WRITE_MS));
    this.timer.unref();
  }

  /** Writes pending changes now and resolves once they are on disk. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const tmp = `${this.file}.${process.pid}.tmp`;
      const started = Date.now();
      try {
        await writeFile(tmp, JSON.stringify({ format: FORMAT, ...this.snapshot() }));
        await rename(tmp, this.file);
        this.lastWriteMs = Date.now() - started;
      } catch (error) {
        this.dirty = true;
        this.logger.error({ err: error, file: this.file }, 'salesforce-emulator: could not persist records');
      }
    });
    return this.writing;
  }
}
