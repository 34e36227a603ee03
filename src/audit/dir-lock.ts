import { open, readFile, unlink } from 'node:fs/promises';
import { LedgerBusyError } from './errors';

/** A process with this pid runs (or exists under another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock file holding the owner's pid. A lock left by a process that no longer runs
 * (a crash) is taken over; a live owner makes the caller fail with a clear message.
 */
export async function acquireDirLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new LedgerBusyError(
          `the embedded ledger is in use by process ${owner} (${lockPath}); stop it, or point DATABASE_URL at a Postgres server both can share`,
        );
      }
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw new LedgerBusyError(`could not take the embedded ledger lock ${lockPath}`);
}
