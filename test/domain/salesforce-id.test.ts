import fc from 'fast-check';
import { KEY_PREFIX, recordIdOf, toId18 } from '../../src/domain/salesforce-id';

describe('Salesforce ids in their 18-character form', () => {
  it.each([
    ['00530000003xqAb', '00530000003xqAbAAI'],
    ['0015000000Gv7qJ', '0015000000Gv7qJAAR'],
    ['00Q000000000001', '00Q000000000001EAA'],
  ])('%s → %s (the checksum of where the upper-case letters are)', (id15, id18) => {
    expect(toId18(id15)).toBe(id18);
    expect(toId18(id18)).toBe(id18);
  });

  it('restores a lower-cased 18-character copy, and corrects a mistyped suffix from the body', () => {
    expect(toId18('00530000003xqabaai')).toBe('00530000003xqAbAAI');
    expect(toId18('00Q000000000001aaa')).toBe('00Q000000000001EAA');
    expect(toId18('00G000000000001AAA')).toBe('00G000000000001EAA');
  });

  it.each(['', 'not-an-id', 'FZBAD-0000000001', '00Q00000000000', '00Q0000000000012', '000000000000000', '00Q000000000001\u0000AA', '00Q 00000000001'])(
    'refuses %j',
    (text) => expect(toId18(text)).toBeNull(),
  );

  it('is idempotent, and a 15- and an 18-character form of one record name the same lead', () => {
    const body = fc.stringMatching(/^[a-zA-Z0-9]{15}$/).filter((s) => !/^0+$/.test(s));
    fc.assert(
      fc.property(body, (id15) => {
        const id18 = toId18(id15)!;
        expect(id18.slice(0, 15)).toBe(id15);
        expect(toId18(id18)).toBe(id18);
        expect(toId18(id18.toLowerCase())).toBe(id18);
      }),
    );
  });

  it('names a record of the given objects only', () => {
    expect(recordIdOf('00Q000000000001', KEY_PREFIX.lead)).toBe('00Q000000000001EAA');
    expect(recordIdOf('00G000000000001', KEY_PREFIX.user, KEY_PREFIX.group)).toBe('00G000000000001EAA');
    expect(recordIdOf('005000000000001AAA', KEY_PREFIX.lead)).toBeNull();
    expect(recordIdOf('not-an-id', KEY_PREFIX.lead)).toBeNull();
    expect(recordIdOf(null, KEY_PREFIX.lead)).toBeNull();
    expect(recordIdOf(undefined, KEY_PREFIX.lead)).toBeNull();
  });
});
