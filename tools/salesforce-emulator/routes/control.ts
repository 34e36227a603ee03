import { z } from 'zod';
import { faultConfigSchema, type FaultConfig } from '../faults';
import type { RequestLogEntry } from '../request-log';

export const CONTROL_PREFIX = '/__emulator__';

/** What the control routes can do to a running emulator. */
export interface EmulatorControls {
  stats(): Record<string, unknown>;
  reset(): void;
  faults(): FaultConfig;
  setFaults(faults: FaultConfig): void;
  allRecords(): Record<string, Record<string, unknown>[]>;
  records(sobject: string): Record<string, unknown>[];
  requestLog(): RequestLogEntry[];
  issueTokens(): Record<string, string>;
  expireTokens(): void;
  revokeTokens(): void;
  setApiCalls(used: number): void;
  addUser(input: unknown): Record<string, unknown>;
  addQueue(input: unknown): Record<string, unknown>;
  setUserActive(id: string, active: boolean): Record<string, unknown>;
}

export interface ControlReply {
  status: number;
  body: Record<string, unknown>;
}

export const CONTROL_ROUTES = [
  'GET    /__emulator__/stats              counters, record counts, active faults',
  'POST   /__emulator__/reset              back to the seeded state: records, ids, tokens, API usage, faults',
  'GET    /__emulator__/faults             the fault configuration in force',
  'PUT    /__emulator__/faults             set faults (FaultConfig JSON); POST works too',
  'DELETE /__emulator__/faults             no more faults',
  'GET    /__emulator__/records[/<Type>]   dump records',
  'GET    /__emulator__/requests           recent requests with their headers (Authorization redacted)',
  'POST   /__emulator__/tokens             issue an access token and a refresh token',
  'POST   /__emulator__/tokens/expire      invalidate every access token (refresh tokens still work)',
  'POST   /__emulator__/tokens/revoke      invalidate every access and refresh token',
  'PUT    /__emulator__/api-usage          {"used": n} sets the daily API calls used',
  'POST   /__emulator__/users              {"Id": "005...", "FirstName"?, "LastName"?, "Username"?, "Email"?, "IsActive"?} adds (or replaces) a user',
  'PATCH  /__emulator__/users/<Id>         {"IsActive": false} deactivates a user (true reactivates)',
  'POST   /__emulator__/queues             {"Id": "00G...", "Name"?, "DeveloperName"?} adds (or replaces) a queue',
];

const apiUsageSchema = z.object({ used: z.number().int().nonnegative() });
const activationSchema = z.object({ IsActive: z.boolean() }).strict();

function ownerReply(add: () => Record<string, unknown>): ControlReply {
  try {
    return reply(200, { record: add() });
  } catch (error) {
    if (error instanceof z.ZodError) return invalid(error);
    return reply(409, { error: error instanceof Error ? error.message : String(error) });
  }
}

function reply(status: number, body: Record<string, unknown>): ControlReply {
  return { status, body: { emulator: true, ...body } };
}

function parseJson(body: string): unknown {
  try {
    return body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return undefined;
  }
}

function invalid(error: z.ZodError | string): ControlReply {
  return reply(400, { error: typeof error === 'string' ? error : z.prettifyError(error) });
}

export function handleControl(controls: EmulatorControls, method: string, path: string, body: string): ControlReply {
  const route = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '') || '/stats';
  const [, resource, sub] = route.split('/');
  switch (`${method} /${resource ?? ''}${sub === undefined ? '' : '/*'}`) {
    case 'GET /stats':
      return reply(200, controls.stats());
    case 'POST /reset':
      controls.reset();
      return reply(200, { reset: true });
    case 'GET /faults':
      return reply(200, { faults: controls.faults() });
    case 'PUT /faults':
    case 'POST /faults': {
      const parsed = faultConfigSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(parsed.error);
      controls.setFaults(parsed.data);
      return reply(200, { faults: controls.faults() });
    }
    case 'DELETE /faults':
      controls.setFaults({});
      return reply(200, { faults: controls.faults() });
    case 'GET /records':
      return reply(200, { records: controls.allRecords() });
    case 'GET /records/*':
      try {
        return reply(200, { sobject: sub, records: controls.records(sub ?? '') });
      } catch (error) {
        return reply(404, { error: error instanceof Error ? error.message : String(error) });
      }
    case 'GET /requests':
      return reply(200, { requests: controls.requestLog() });
    case 'POST /tokens':
      return reply(200, controls.issueTokens());
    case 'POST /tokens/*':
      if (sub === 'expire') {
        controls.expireTokens();
        return reply(200, { expired: true });
      }
      if (sub === 'revoke') {
        controls.revokeTokens();
        return reply(200, { revoked: true });
      }
      break;
    case 'PUT /api-usage': {
      const parsed = apiUsageSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(parsed.error);
      controls.setApiCalls(parsed.data.used);
      return reply(200, controls.stats());
    }
    case 'POST /users':
      return ownerReply(() => controls.addUser(parseJson(body)));
    case 'POST /queues':
      return ownerReply(() => controls.addQueue(parseJson(body)));
    case 'PATCH /users/*': {
      const parsed = activationSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(parsed.error);
      try {
        return reply(200, { record: controls.setUserActive(sub ?? '', parsed.data.IsActive) });
      } catch (error) {
        return reply(404, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return reply(404, { error: `unknown control route: ${method} ${path}`, routes: CONTROL_ROUTES });
}
