const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BODY_LENGTH = 12;
const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The 3-character suffix that makes a 15-character id case-insensitively unique. */
export function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET.charAt(bits);
  }
  return suffix;
}

/**
 * Ids are generated with digits and upper-case letters only, so their first 15 characters are unique
 * ignoring case. Lookups use that as the key, which accepts 15- and 18-character forms in any case.
 * The suffix of an 18-character id is not verified: the design's seed queue id `00G000000000001AAA`
 * carries a non-canonical suffix and must still resolve.
 */
export function idKey(id: string): string | null {
  return ID_PATTERN.test(id) ? id.slice(0, 15).toUpperCase() : null;
}

export function isWellFormedId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3).toUpperCase();
}

export function makeId(keyPrefix: string, counter: number): string {
  const body = counter.toString(36).toUpperCase().padStart(BODY_LENGTH, '0');
  if (body.length > BODY_LENGTH) throw new Error(`id counter overflow for key prefix ${keyPrefix}`);
  const id15 = keyPrefix + body;
  return id15 + checksum(id15);
}
