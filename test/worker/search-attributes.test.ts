import fs from 'node:fs';
import path from 'node:path';
import { devServerArgs } from '../../src/temporal/dev-server';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/workflows/search-attributes';

const TYPE_NAMES: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', INT: 'Int', DOUBLE: 'Double' };
const expected = SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name}=${TYPE_NAMES[k.type]}`).sort();

describe('search attributes of docs/contracts/temporal.md, registered everywhere the same', () => {
  test('within the dev server limits: 8 Keyword, 3 Datetime, 2 Int, 2 Double', () => {
    const count = (type: string) => SEARCH_ATTRIBUTE_KEYS.filter((k) => k.type === type).length;
    expect([count('KEYWORD'), count('DATETIME'), count('INT'), count('DOUBLE')]).toEqual([8, 3, 2, 2]);
  });

  test('the embedded dev server registers them at start', () => {
    const args = devServerArgs({ port: 7233, dbFile: '/tmp/x.db', namespace: 'default' });
    const registered = args.flatMap((a, i) => (a === '--search-attribute' ? [args[i + 1]!] : [])).sort();
    expect(registered).toEqual(expected);
  });

  test('the namespace setup script for production registers the same list', () => {
    const script = fs.readFileSync(path.resolve(__dirname, '../../infra/temporal/register-search-attributes.sh'), 'utf8');
    const list = script.slice(script.indexOf("<<'LIST'") + 8, script.lastIndexOf('LIST')).trim().split('\n');
    expect(list.map((line) => line.trim().replace(' ', '=')).sort()).toEqual(expected);
  });
});
