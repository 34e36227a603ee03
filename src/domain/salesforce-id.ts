/**
 * Salesforce record ids come in a case-sensitive 15-character form and a case-insensitive
 * 18-character form (the 15 plus a 3-character checksum of where the upper-case letters are).
 * Handoff keys every lead, owner and actor by the 18-character form, so that one lead has one
 * workflow however its id arrives.
 */
const ID_BODY = /^[a-zA-Z0-9]{15}$/;
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/**
 * The 18-character form of a Salesforce id, or null when the text cannot be one (not 15 or 18
 * letters and digits, or the all-zero id). An 18-character id whose suffix disagrees with its body
 * is either a lower-cased copy (the suffix restores the case) or carries a mistyped suffix, which is
 * recomputed from the body: the body is what Salesforce matches on.
 */
export function toId18(text: string): string | null {
  if (text.length !== 15 && text.length !== 18) return null;
  const body = text.slice(0, 15);
  if (!ID_BODY.test(body) || /^0+$/.test(body)) return null;
  if (text.length === 15) return body + checksum(body);
  const suffix = text.slice(15).toUpperCase();
  if (!/^[A-Z0-9]{3}$/.test(suffix)) return null;
  if (checksum(body) === suffix) return body + suffix;
  const restored = /[A-Z]/.test(body) ? null : restoreCase(body, suffix);
  return restored === null ? body + checksum(body) : restored + suffix;
}

/** A lower-cased body with its letters upper-cased where the suffix says, or null when the suffix does not fit it. */
function restoreCase(body: string, suffix: string): string | null {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk]!);
    if (bits < 0) return null;
    for (let i = 0; i < 5; i++) {
      const ch = body[chunk * 5 + i]!;
      const upper = (bits & (1 << i)) !== 0;
      const isLetter = /[a-z]/.test(ch);
      if (upper && !isLetter) return null;
      out += upper ? ch.toUpperCase() : ch;
    }
  }
  return out;
}

/** The three-character key prefix that names the object: 00Q Lead, 005 User, 00G Group (Queue), 006 Opportunity. */
export const keyPrefixOf = (id18: string): string => id18.slice(0, 3);

export const KEY_PREFIX = {
  lead: '00Q',
  user: '005',
  group: '00G',
  opportunity: '006',
  task: '00T',
  event: '00U',
  organization: '00D',
} as const;

/** The 18-character id of a record of one of these objects (by key prefix), or null when the text is not one. */
export function recordIdOf(text: string | null | undefined, ...prefixes: string[]): string | null {
  const id = text ? toId18(text) : null;
  return id !== null && prefixes.includes(keyPrefixOf(id)) ? id : null;
}
