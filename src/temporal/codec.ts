import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { parseEntryList } from '../env';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One AES-256 key and the id written beside every payload it encrypts. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A payload that cannot be decrypted: it must stop the work that needs it, never pass as data. */
export class PayloadDecryptionError extends Error {
  constructor(
    readonly keyId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/** Parses HANDOFF_PAYLOAD_KEYS: comma-separated `keyId:base64Key` (32-byte keys); throws listing every bad entry. */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const ids = new Set<string>();
  return parseEntryList<PayloadKey>('HANDOFF_PAYLOAD_KEYS', spec, (id, encoded, entry) => {
    if (!KEY_ID.test(id))
      return { problem: `${entry}: expected "<key id>:<base64 key>" with a key id of 1-64 characters A-Z a-z 0-9 . _ -` };
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== KEY_BYTES)
      return { problem: `${entry} (key id "${id}"): expected the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)` };
    if (ids.has(id)) return { problem: `${entry}: key id "${id}" is listed twice` };
    ids.add(id);
    return { id, key };
  });
}

export const formatPayloadKeys = (keys: readonly PayloadKey[]): string =>
  keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

export const generatePayloadKey = (id: string): PayloadKey => ({ id, key: randomBytes(KEY_BYTES) });

/**
 * AES-256-GCM over the whole serialized payload (its metadata included, so the encoding is hidden too).
 * The first key encrypts; every key decrypts, chosen by the key id in the metadata, so keys rotate by
 * putting a new key first and keeping the old ones until no history needs them. The key id is also the
 * additional authenticated data, so a payload relabelled with another id fails authentication.
 * Payloads that are not encrypted (histories from before encryption) decode as they are.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    const [current] = keys;
    if (!current) throw new Error('EncryptionCodec needs at least one key');
    this.current = current;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || Buffer.from(encoding).toString('utf8') !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    const id = idBytes ? Buffer.from(idBytes).toString('utf8') : undefined;
    if (id === undefined)
      throw new PayloadDecryptionError(undefined, 'an encrypted payload carries no encryption-key-id');
    const key = this.keys.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        id,
        `a payload is encrypted under key id "${id}", which is not in HANDOFF_PAYLOAD_KEYS (known key ids: ${[...this.keys.keys()].join(', ')})`,
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(id, `an encrypted payload under key id "${id}" is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new PayloadDecryptionError(
        id,
        `a payload under key id "${id}" failed authentication: the key configured under that id is not the one that encrypted it, or the data was altered`,
      );
    }
  }
}
