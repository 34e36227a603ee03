import { alive } from '../audit/dir-lock';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/*
 * `npm start` records where its API listens in the data dir, so the CLI, which cannot open the
 * embedded ledger while `npm start` holds it, reads the same ledger through that API instead.
 */

const runningApiSchema = z.object({ url: z.url(), pid: z.number().int().positive() });
export type RunningApiRecord = z.infer<typeof runningApiSchema>;

export const runningApiFile = (dataDir: string): string => path.join(dataDir, 'api.json');

export function recordRunningApi(dataDir: string, record: RunningApiRecord): void {
  fs.writeFileSync(runningApiFile(dataDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export function forgetRunningApi(dataDir: string): void {
  fs.rmSync(runningApiFile(dataDir), { force: true });
}

/** The API `npm start` recorded in the data dir, if that process still runs (a crash leaves a stale file). */
export function findRunningApi(dataDir: string): RunningApiRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(runningApiFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = runningApiSchema.safeParse(
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    })(),
  );
  return parsed.success && alive(parsed.data.pid) ? parsed.data : undefined;
}

/** A plain revops key: from HANDOFF_API_KEYS when it holds one, else the development keys `npm start` keeps. */
export function revopsKey(env: NodeJS.ProcessEnv, dataDir: string): string | undefined {
  const spec = env.HANDOFF_API_KEYS ?? readDevKeys(dataDir);
  for (const entry of (spec ?? '').split(',')) {
    const [role, ...rest] = entry.trim().split(':');
    const key = rest.join(':');
    if (role === 'revops' && key !== '' && !key.startsWith('sha256:')) return key;
  }
  return undefined;
}

function readDevKeys(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, 'dev-api-keys'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export type ApiAnswer = { status: number; contentType: string; text: string };

/** GET on the running API with the revops key. */
export async function getFromApi(
  api: RunningApiRecord,
  key: string,
  route: string,
  query: Record<string, string | undefined> = {},
): Promise<ApiAnswer> {
  const url = new URL(route, api.url);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}
