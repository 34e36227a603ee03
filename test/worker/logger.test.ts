import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from '../../src/logger';

test('logs keep the logger name and redact personal data and secrets', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const logger = pino({ name: 'worker', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
  logger.info({ leadId: 'L1', lead: { email: 'a@b.co', phone: '+1 555', name: 'Ada' }, req: { headers: { authorization: 'Bearer k' } } }, 'x');
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ name: 'worker', leadId: 'L1', lead: { email: '[redacted]', phone: '[redacted]', name: '[redacted]' } });
  expect(line.req.headers.authorization).toBe('[redacted]');
});
