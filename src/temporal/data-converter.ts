import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec, formatPayloadKeys, generatePayloadKey, parsePayloadKeys, type PayloadKey } from './codec';

export const DEV_PAYLOAD_KEYS_FILE = 'dev-payload-keys';

export interface LoadedPayloadKeys {
  keys: PayloadKey[];
  /** Set when the keys are the development key kept in the data dir (no HANDOFF_PAYLOAD_KEYS, not production). */
  devKeyFile?: string;
}

/**
 * The payload keys: HANDOFF_PAYLOAD_KEYS, or outside production a development key generated once and
 * kept in the data dir (mode 0600), so `npm start` reads its own histories after a restart. Production
 * without keys is a startup error: histories would otherwise be written in clear text to Temporal.
 */
export function loadPayloadKeys(env: NodeJS.ProcessEnv, dataDir: string): LoadedPayloadKeys {
  const spec = env.HANDOFF_PAYLOAD_KEYS?.trim();
  if (spec) return { keys: parsePayloadKeys(spec) };
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'HANDOFF_PAYLOAD_KEYS: required in production (comma-separated keyId:base64Key, 32-byte keys, e.g. "k1:$(openssl rand -base64 32)"; the first one encrypts)',
    );
  }
  const file = path.join(dataDir, DEV_PAYLOAD_KEYS_FILE);
  if (!fs.existsSync(file)) createDevKeyFile(file);
  try {
    return { keys: parsePayloadKeys(fs.readFileSync(file, 'utf8')), devKeyFile: file };
  } catch (err) {
    throw new Error(`the development payload key in ${file} is unreadable: ${(err as Error).message}`);
  }
}

/** Written aside, then linked into place: a process started beside this one never reads a half-written key. */
function createDevKeyFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, `${formatPayloadKeys([generatePayloadKey('dev-1')])}\n`, { mode: 0o600 });
  try {
    fs.linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    fs.unlinkSync(draft);
  }
}

/** What every Temporal client and worker of Handoff converts payloads with: JSON, then AES-256-GCM. */
export function handoffDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}
