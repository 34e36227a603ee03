import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { EncryptionCodec, parsePayloadKeys, PayloadDecryptionError } from '../../src/temporal/codec';
import { DEV_PAYLOAD_KEYS_FILE, loadPayloadKeys } from '../../src/temporal/data-converter';
import { TEST_PAYLOAD_KEYS } from '../helpers/temporal';

const OTHER_KEY = '2uVnbjAeLH25Hi+QR/uTFrDgQPQfUn+8i/utIACuJ+w=';
const notes = 'Spoke to jane.doe@acme-logistics.com, call back on +1 (415) 555-0199';
const value = { company: 'Acme Logistics GmbH', title: 'VP of Sales', notes };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('latin1');
const meta = (payload: Payload, key: string) => text(payload.metadata?.[key]);

describe('HANDOFF_PAYLOAD_KEYS', () => {
  test('keyId:base64Key entries, the first one encrypts', () => {
    const keys = parsePayloadKeys(` k2:${OTHER_KEY} , ${TEST_PAYLOAD_KEYS} `);
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([
      ['k2', 32],
      ['test-1', 32],
    ]);
  });

  test('every bad entry is listed, with its key id and never its key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    let message = '';
    try {
      parsePayloadKeys(`nocolon,bad id:${OTHER_KEY},k1:${short},k2:not base64!!,k3:${OTHER_KEY},k3:${OTHER_KEY}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid HANDOFF_PAYLOAD_KEYS/);
    expect(message).toContain('entry 1: expected "<key id>:<base64 key>"');
    expect(message).toContain('entry 2: expected "<key id>:<base64 key>"');
    expect(message).toContain('entry 3 (key id "k1"): expected the base64 of 32 random bytes');
    expect(message).toContain('entry 4 (key id "k2")');
    expect(message).toContain('entry 6: key id "k3" is listed twice');
    expect(message).not.toContain(OTHER_KEY);
    expect(() => parsePayloadKeys(' , ')).toThrow('no keys');
  });
});

describe('EncryptionCodec', () => {
  const codec = new EncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));
  const plain = defaultPayloadConverter.toPayload(value);

  test('ciphertext only, with the key id beside it; decodes back to the same payload', async () => {
    const [encoded] = await codec.encode([plain]);
    expect(Object.keys(encoded!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(meta(encoded!, 'encoding')).toBe('binary/encrypted');
    expect(meta(encoded!, 'encryption-key-id')).toBe('test-1');
    for (const secret of ['Acme', 'VP of Sales', 'jane.doe', '555-0199', 'json/plain'])
      expect(text(encoded!.data)).not.toContain(secret);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
    expect(meta(decoded!, 'encoding')).toBe('json/plain');
  });

  test('a fresh IV per payload: the same value never encrypts the same way twice', async () => {
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('payloads written before encryption decode as they are', async () => {
    const binary: Payload = { metadata: { encoding: Buffer.from('binary/null') } };
    expect(await codec.decode([plain, binary])).toEqual([plain, binary]);
  });

  test('rotation: a new key first encrypts, the old one still decrypts', async () => {
    const [old] = await codec.encode([plain]);
    const rotated = new EncryptionCodec(parsePayloadKeys(`k2:${OTHER_KEY},${TEST_PAYLOAD_KEYS}`));
    const [fresh] = await rotated.encode([plain]);
    expect(meta(fresh!, 'encryption-key-id')).toBe('k2');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([value, value]);
  });

  test('an unknown key id fails loudly, naming the key id', async () => {
    const [encoded] = await codec.encode([plain]);
    const other = new EncryptionCodec(parsePayloadKeys(`k2:${OTHER_KEY}`));
    const failure = other.decode([encoded!]);
    await expect(failure).rejects.toBeInstanceOf(PayloadDecryptionError);
    await expect(failure).rejects.toMatchObject({
      keyId: 'test-1',
      message: expect.stringContaining('key id "test-1", which is not in HANDOFF_PAYLOAD_KEYS'),
    });
  });

  test('a wrong key under the right id, altered data and a relabelled key id fail authentication', async () => {
    const [encoded] = await codec.encode([plain]);
    const wrongKey = new EncryptionCodec(parsePayloadKeys(`test-1:${OTHER_KEY}`));
    await expect(wrongKey.decode([encoded!])).rejects.toThrow('a payload under key id "test-1" failed authentication');

    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow('failed authentication');

    const both = new EncryptionCodec(parsePayloadKeys(`${TEST_PAYLOAD_KEYS},k2:${OTHER_KEY}`));
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toThrow('key id "k2" failed authentication');
  });

  test('an encrypted payload without its key id, or truncated, is refused', async () => {
    const [encoded] = await codec.encode([plain]);
    await expect(
      codec.decode([{ metadata: { encoding: Buffer.from('binary/encrypted') }, data: encoded!.data }]),
    ).rejects.toThrow('no encryption-key-id');
    await expect(codec.decode([{ ...encoded!, data: Buffer.alloc(10) }])).rejects.toThrow('truncated');
  });
});

describe('loading the keys', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('HANDOFF_PAYLOAD_KEYS wins; nothing is written to the data dir', () => {
    const dir = tmp();
    const loaded = loadPayloadKeys({ HANDOFF_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, NODE_ENV: 'production' }, dir);
    expect(loaded).toEqual({ keys: parsePayloadKeys(TEST_PAYLOAD_KEYS) });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('production without keys refuses to start, saying what to set', () => {
    const dir = tmp();
    expect(() => loadPayloadKeys({ NODE_ENV: 'production' }, dir)).toThrow(
      /HANDOFF_PAYLOAD_KEYS: required in production/,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('outside production: a development key generated once, kept with mode 0600, the same after a restart', () => {
    const dir = path.join(tmp(), 'nested');
    const first = loadPayloadKeys({}, dir);
    const file = path.join(dir, DEV_PAYLOAD_KEYS_FILE);
    expect(first.devKeyFile).toBe(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual([DEV_PAYLOAD_KEYS_FILE]);
    expect(first.keys).toHaveLength(1);
    expect(first.keys[0]!.key).toHaveLength(32);
    expect(loadPayloadKeys({ HANDOFF_PAYLOAD_KEYS: '  ' }, dir)).toEqual(first);
  });

  test('a damaged development key file names the file', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, DEV_PAYLOAD_KEYS_FILE), 'garbage\n');
    expect(() => loadPayloadKeys({}, dir)).toThrow(
      `the development payload key in ${path.join(dir, DEV_PAYLOAD_KEYS_FILE)} is unreadable`,
    );
  });
});
