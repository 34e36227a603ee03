import { WorkflowNotFoundError } from '@temporalio/client';
import { leadWorkflowId } from '../../src/workflows/messages';
import { uniqueLeadId } from '../helpers/leads';
import { testPolicy, ALWAYS_TEAM } from '../helpers/policy';
import { bearer, hotTrigger, inject, KEYS, nowIso, PEOPLE, startStack, type Stack, type TestRole } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const post = (url: string, payload: unknown, role: TestRole, headers: Record<string, string> = {}) =>
  inject(stack.app, { method: 'POST', url, headers: { ...bearer(role), ...headers }, payload: payload as Record<string, unknown> });
const get = (url: string, role: TestRole) => inject(stack.app, { method: 'GET', url, headers: bearer(role) });
const handoffTasks = (leadId: string) => stack.rec.recorded.tasks.filter((t) => t.leadId === leadId && t.kind === 'HANDOFF');
const audits = (leadId: string, type: string) => stack.rec.recorded.audit.filter((e) => e.leadId === leadId && e.type === type);

async function newMql(leadId = uniqueLeadId()): Promise<string> {
  const res = await post('/v1/leads', hotTrigger(leadId), 'crm');
  expect(res.status).toBe(200);
  expect(res.json().stage).toBe('MQL');
  return leadId;
}

describe("a lead's whole life through the API", () => {
  test('trigger → engagement → accept → contact → qualify → convert, with 409s on the way', async () => {
    const leadId = uniqueLeadId();
    const created = await post('/v1/leads', hotTrigger(leadId), 'crm');
    expect(created.status).toBe(200);
    expect(created.json()).toMatchObject({
      leadId,
      workflowId: `lead-${leadId}`,
      stage: 'MQL',
      kind: 'HAND_RAISE',
      ownerId: PEOPLE.rep,
      team: 'na',
      fitScore: 80,
      policyVersion: '2026-11-01',
      sla: { status: 'ON_TRACK', breaches: 0, escalations: 0, firstTouchAt: null },
      cadence: { attempts: 0, connected: false, channels: [] },
      recycle: null,
    });
    expect(created.json().sla.dueAt).toEqual(expect.any(String));

    const read = await get(`/v1/leads/${leadId}`, 'sales');
    expect(read.status).toBe(200);
    expect(read.json()).toEqual(created.json());

    const engagement = await post(`/v1/leads/${leadId}/events`, { eventId: 'e-pricing', type: 'pricing_visit', occurredAt: nowIso() }, 'crm');
    expect([engagement.status, engagement.json()]).toEqual([202, { accepted: true, leadId, eventId: 'e-pricing' }]);

    const tooEarly = await post(`/v1/leads/${leadId}/convert`, { repId: PEOPLE.rep, opportunityId: '006000000000001AAA' }, 'sales');
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.json().error).toMatchObject({
      code: 'INVALID_TRANSITION',
      message: expect.stringMatching(/in stage MQL \(allowed in MQL: accept → SAL, contact → SAL, reject → RECYCLED, reassign → MQL, disqualify → DISQUALIFIED\)/),
      details: { stage: 'MQL', allowed: ['accept', 'contact', 'reject', 'reassign', 'disqualify'] },
    });

    const accepted = await post(`/v1/leads/${leadId}/accept`, { repId: PEOPLE.rep }, 'sales');
    expect(accepted.status).toBe(200);
    expect(accepted.json()).toMatchObject({ stage: 'SAL', sla: { status: 'MET', firstTouchAt: expect.any(String) } });
    expect((await post(`/v1/leads/${leadId}/accept`, { repId: PEOPLE.rep }, 'sales')).json().error.code).toBe('INVALID_TRANSITION');

    const contacted = await post(`/v1/leads/${leadId}/contact-attempts`, { repId: PEOPLE.rep, channel: 'call', outcome: 'connected' }, 'sales');
    expect(contacted.json().cadence).toMatchObject({ attempts: 1, connected: true, channels: ['call'] });

    const bant = { budget: '50k', authority: 'VP Sales', need: 'routing', timeline: 'Q1' };
    const qualified = await post(`/v1/leads/${leadId}/qualify`, { repId: PEOPLE.rep, bant }, 'sales');
    expect(qualified.json().stage).toBe('SQL');

    const converted = await post(`/v1/leads/${leadId}/convert`, { repId: PEOPLE.rep, opportunityId: '006000000000001AAA' }, 'sales');
    expect(converted.status).toBe(200);
    expect(converted.json().stage).toBe('CONVERTED');

    const afterTheEnd = await post(`/v1/leads/${leadId}/reassign`, { actorId: PEOPLE.revops, ownerId: PEOPLE.defaultRep }, 'revops');
    expect(afterTheEnd.status).toBe(409);
    expect(afterTheEnd.json().error.message).toMatch(/CONVERTED/);
    expect((await get(`/v1/leads/${leadId}`, 'revops')).json().stage).toBe('CONVERTED');
    expect(handoffTasks(leadId)).toHaveLength(1);
  });

  test('reject recycles with the reason; notes for OTHER', async () => {
    const leadId = await newMql();
    const rejected = await post(`/v1/leads/${leadId}/reject`, { repId: PEOPLE.rep, reason: 'OTHER', notes: 'already a customer' }, 'sales');
    expect(rejected.status).toBe(200);
    expect(rejected.json()).toMatchObject({ stage: 'RECYCLED', recycle: { reason: 'OTHER', notes: 'already a customer', at: expect.any(String) } });
  });

  test('reassign and disqualify are for sales and RevOps', async () => {
    const leadId = await newMql();
    const reassigned = await post(`/v1/leads/${leadId}/reassign`, { actorId: PEOPLE.revops, ownerId: PEOPLE.defaultRep }, 'revops');
    expect(reassigned.json().ownerId).toBe(PEOPLE.defaultRep);
    const disqualified = await post(`/v1/leads/${leadId}/disqualify`, { actorId: PEOPLE.defaultRep, reason: 'COMPETITOR' }, 'sales');
    expect(disqualified.json().stage).toBe('DISQUALIFIED');
  });

  test('low fit, high intent goes to RevOps review; review routes it to sales', async () => {
    const leadId = uniqueLeadId();
    const lowFit = { ...hotTrigger(leadId), firmographics: { industry: 'Retail', employees: 5 } };
    const res = await post('/v1/leads', lowFit, 'crm');
    expect(res.json().stage).toBe('REVIEW');
    expect((await post(`/v1/leads/${leadId}/review`, { actorId: PEOPLE.revops, decision: 'route' }, 'sales')).status).toBe(403);
    const reviewed = await post(`/v1/leads/${leadId}/review`, { actorId: PEOPLE.revops, decision: 'route', notes: 'strategic account' }, 'revops');
    expect(reviewed.json().stage).toBe('MQL');
  });

  test('a hand-raise engagement upgrades an MQL', async () => {
    const leadId = uniqueLeadId();
    const webinar = { ...hotTrigger(leadId), activities: [{ type: 'webinar', occurredAt: nowIso() }], intentScore: 40 };
    expect((await post('/v1/leads', webinar, 'crm')).json()).toMatchObject({ stage: 'MQL', kind: 'MQL' });
    expect((await post(`/v1/leads/${leadId}/events`, { eventId: 'demo-1', type: 'demo_request', occurredAt: nowIso() }, 'crm')).status).toBe(202);
    let kind = '';
    for (let i = 0; i < 50 && kind !== 'HAND_RAISE'; i++) {
      kind = (await get(`/v1/leads/${leadId}`, 'sales')).json().kind as string;
      if (kind !== 'HAND_RAISE') await new Promise((r) => setTimeout(r, 100));
    }
    expect(kind).toBe('HAND_RAISE');
  });
});

describe('one workflow per lead, one answer per event', () => {
  test('seven concurrent triggers for one lead: one workflow, one handoff task', async () => {
    const leadId = uniqueLeadId();
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) => post('/v1/leads', { ...hotTrigger(leadId, `burst-${i}`), intentScore: 40 + i }, 'crm')),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(7).fill(200));
    expect(new Set(answers.map((a) => a.json().workflowId))).toEqual(new Set([`lead-${leadId}`]));
    const runs = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowId = 'lead-${leadId}'` })) runs.push(run.runId);
    expect(runs).toHaveLength(1);
    expect(handoffTasks(leadId)).toHaveLength(1);
    expect(audits(leadId, 'QUALIFIED')).toHaveLength(1);
  });

  test('a retried trigger (same eventId) is answered again and changes nothing', async () => {
    const leadId = uniqueLeadId();
    const trigger = hotTrigger(leadId, 'same-event');
    const first = await post('/v1/leads', trigger, 'crm');
    const again = await Promise.all([post('/v1/leads', trigger, 'crm'), post('/v1/leads', trigger, 'crm')]);
    expect(again.map((a) => a.json().stage)).toEqual(['MQL', 'MQL']);
    expect(again[0]!.json().history).toEqual(first.json().history);
    expect(audits(leadId, 'QUALIFIED')).toHaveLength(1);
  });

  test('an Idempotency-Key makes a retried action count once', async () => {
    const leadId = await newMql();
    const attempt = { repId: PEOPLE.rep, channel: 'email', outcome: 'no_answer' };
    const key = { 'idempotency-key': `attempt-${leadId}` };
    await post(`/v1/leads/${leadId}/contact-attempts`, attempt, 'sales', key);
    const retried = await post(`/v1/leads/${leadId}/contact-attempts`, attempt, 'sales', key);
    expect(retried.json().cadence.attempts).toBe(1);
    const another = await post(`/v1/leads/${leadId}/contact-attempts`, attempt, 'sales');
    expect(another.json().cadence.attempts).toBe(2);
  });
});

describe('errors from Temporal', () => {
  test('404 LEAD_NOT_FOUND for a lead without a workflow', async () => {
    const missing = uniqueLeadId('missing');
    for (const res of [
      await get(`/v1/leads/${missing}`, 'sales'),
      await get(`/v1/leads/${missing}/timeline`, 'revops'),
      await post(`/v1/leads/${missing}/accept`, { repId: PEOPLE.rep }, 'sales'),
      await post(`/v1/leads/${missing}/events`, { eventId: 'e1', type: 'webinar', occurredAt: nowIso() }, 'crm'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'LEAD_NOT_FOUND', message: `no lead ${missing}` } });
    }
    await expect(stack.client.workflow.getHandle(leadWorkflowId(missing)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  test("the workflow's policy refusal is a 400 (a lead keeps the policy it started with)", async () => {
    const strict = await stack.build({ policy: testPolicy({ ...ALWAYS_TEAM, recycle: { notesRequiredFor: ['OTHER', 'NO_BUDGET'] } }) });
    const leadId = uniqueLeadId();
    expect((await inject(strict, { method: 'POST', url: '/v1/leads', headers: bearer('crm'), payload: hotTrigger(leadId) })).status).toBe(200);
    await strict.close();
    const res = await post(`/v1/leads/${leadId}/reject`, { repId: PEOPLE.rep, reason: 'NO_BUDGET' }, 'sales');
    expect(res.status).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'notes are required when rejecting with reason NO_BUDGET' });
  });

  test('no worker on the task queue: 503 with Retry-After once the deadline passes', async () => {
    const stalled = await stack.build({
      temporal: { client: stack.client, taskQueue: 'no-worker-here', namespace: stack.env.namespace ?? 'default', timeoutMs: 1500 },
    });
    const res = await inject(stalled, { method: 'POST', url: '/v1/leads', headers: bearer('crm'), payload: hotTrigger(uniqueLeadId()) });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const ready = await inject(stalled, { method: 'GET', url: '/readyz' });
    expect(ready.status).toBe(503);
    const checks = ready.json().error.details.checks as { name: string; status: string; detail: string }[];
    expect(Object.fromEntries(checks.map((c) => [c.name, c.status === 'ok' ? 'ok' : c.detail]))).toMatchObject({
      temporal: 'ok',
      worker: 'no worker polls task queue "no-worker-here"',
      ledger: 'ok',
    });
    await stalled.close();
  });
});

describe('RevOps reads', () => {
  test('the timeline merges the ledger and the Temporal history, oldest first, each entry with its source', async () => {
    const leadId = await newMql();
    await post(`/v1/leads/${leadId}/accept`, { repId: PEOPLE.rep }, 'sales');
    let entries: { source: string; type: string; at: string; id: string }[] = [];
    for (let i = 0; i < 50; i++) {
      entries = (await get(`/v1/leads/${leadId}/timeline`, 'revops')).json().entries;
      if (entries.some((e) => e.source === 'ledger' && e.type === 'ACCEPTED')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const types = (source: string) => entries.filter((e) => e.source === source).map((e) => e.type);
    expect(types('ledger')).toEqual(expect.arrayContaining(['QUALIFIED', 'ACCEPTED']));
    expect(types('temporal')).toEqual(expect.arrayContaining(['WORKFLOW_STARTED', 'UPDATE_ACCEPTED']));
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect((await get(`/v1/leads/${leadId}/timeline`, 'sales')).status).toBe(403);
  });

  test('SLA report as JSON and CSV, and the funnel', async () => {
    const leadId = await newMql();
    await post(`/v1/leads/${leadId}/accept`, { repId: PEOPLE.rep }, 'sales');
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    let sla: Record<string, any> = {};
    for (let i = 0; i < 50; i++) {
      sla = (await get(`/v1/audit/sla?from=${from}&to=${to}`, 'revops')).json();
      if (sla.leads.some((l: { leadId: string; status: string }) => l.leadId === leadId && l.status === 'MET')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sla).toMatchObject({ from, to, totals: { leads: expect.any(Number) } });
    expect(sla.leads).toEqual(expect.arrayContaining([expect.objectContaining({ leadId, status: 'MET', kind: 'HAND_RAISE' })]));

    const csv = await get(`/v1/audit/sla?from=${from}&to=${to}&format=csv&kind=HAND_RAISE`, 'revops');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, ...rows] = csv.body.trim().split(/\r?\n/);
    expect(header).toBe('leadId,kind,ownerId,team,qualifiedAt,dueAt,firstTouchAt,status,breaches,policyVersion,cycle,workflowId,responseType,breachedOwnerId');
    expect(rows.some((r) => r.startsWith(`${leadId},HAND_RAISE,`))).toBe(true);

    const funnel = await get(`/v1/audit/funnel?from=${from}&to=${to}`, 'revops');
    expect(funnel.status).toBe(200);
    expect(funnel.json().stages).toEqual(expect.arrayContaining([expect.objectContaining({ stage: 'SAL', leads: expect.any(Number) })]));
  });

  test('the dashboard: Bearer, or a sign-in form that sets a session cookie holding a random id, never the key', async () => {
    const page = await get('/dashboard', 'revops');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*form-action 'self'/);
    expect(page.body).toMatch(/^<!doctype html>/);
    expect(page.body).toContain('Lead handoff: SLA compliance and funnel');

    // A browser without a session is sent to the form; an API client gets the 401.
    const browser = await inject(stack.app, { method: 'GET', url: '/dashboard', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect([browser.status, browser.headers.location]).toEqual([303, '/dashboard/sign-in']);
    expect((await inject(stack.app, { method: 'GET', url: '/dashboard' })).status).toBe(401);
    const form = await inject(stack.app, { method: 'GET', url: '/dashboard/sign-in' });
    expect(form.status).toBe(200);
    expect(form.body).toMatch(/<form method="post" action="\/dashboard\/sign-in">[\s\S]*name="key" type="password"/);

    const signIn = (key: string, headers: Record<string, string> = {}, app = stack.app) =>
      inject(app, {
        method: 'POST',
        url: '/dashboard/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000', 'sec-fetch-site': 'same-origin', ...headers },
        payload: new URLSearchParams({ key }).toString(),
      });
    const signedIn = await signIn(KEYS.revops);
    expect([signedIn.status, signedIn.headers.location]).toEqual([303, '/dashboard']);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/^handoff_session=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(KEYS.revops);
    expect(cookie).not.toContain(encodeURIComponent(KEYS.revops));
    const session = cookie.split(';')[0]!;
    const viaCookie = await inject(stack.app, { method: 'GET', url: '/dashboard?from=2026-10-01&to=2026-11-01', headers: { cookie: session } });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.body).toContain('Oct 1 2026');
    expect(viaCookie.body).toContain('action="/dashboard/sign-out"');
    // The session is for the page only, and ?key= is gone.
    expect((await inject(stack.app, { method: 'GET', url: '/v1/audit/funnel?from=2026-10-01&to=2026-11-01', headers: { cookie: session } })).status).toBe(401);
    expect((await inject(stack.app, { method: 'GET', url: `/dashboard?key=${KEYS.revops}` })).status).toBe(401);
    expect((await inject(stack.app, { method: 'GET', url: `/dashboard?key=${KEYS.revops}`, headers: { cookie: session } })).status).toBe(400);

    // Anywhere but plain http on loopback, the cookie is Secure.
    const remote = await signIn(KEYS.revops, { host: 'handoff.example.com', origin: 'https://handoff.example.com' });
    expect(String(remote.headers['set-cookie'])).toMatch(/; Secure$/);
    const behindProxy = await stack.build({ trustProxy: ['127.0.0.1'] });
    const https = await signIn(KEYS.revops, { 'x-forwarded-proto': 'https' }, behindProxy);
    expect(String(https.headers['set-cookie'])).toMatch(/; Secure$/);
    await behindProxy.close();

    // Wrong keys, other roles, other sites, other bodies: refused, no cookie.
    for (const [res, status] of [
      [await signIn('nope-nope-nope-nope'), 401],
      [await signIn(KEYS.sales), 403],
      [await signIn(KEYS.revops, { origin: 'https://evil.example' }), 403],
      [await signIn(KEYS.revops, { 'sec-fetch-site': 'cross-site' }), 403],
      [await signIn(KEYS.revops, { 'content-type': 'application/json' }), 400],
      [await signIn(''), 400],
    ] as const) {
      expect(res.status).toBe(status);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    expect((await inject(stack.app, { method: 'GET', url: '/dashboard', headers: { cookie: 'handoff_session=made-up' } })).status).toBe(401);

    // Signing out ends the session for every copy of the cookie; a cross-site sign-out is refused.
    const crossSiteOut = await inject(stack.app, { method: 'POST', url: '/dashboard/sign-out', headers: { cookie: session, 'sec-fetch-site': 'cross-site' } });
    expect(crossSiteOut.status).toBe(403);
    const out = await inject(stack.app, { method: 'POST', url: '/dashboard/sign-out', headers: { cookie: session, host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' } });
    expect([out.status, out.headers.location]).toEqual([303, '/dashboard/sign-in']);
    expect(String(out.headers['set-cookie'])).toMatch(/^handoff_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
    expect((await inject(stack.app, { method: 'GET', url: '/dashboard', headers: { cookie: session } })).status).toBe(401);
    expect((await get('/dashboard?from=2026-11-01&to=2026-10-01', 'revops')).status).toBe(400);
  });

  test('/readyz is 200 when every required check passes; 503 naming the one that does not, each check with its detail', async () => {
    const statuses = (body: { checks: { name: string; status: string }[] }) => Object.fromEntries(body.checks.map((c) => [c.name, c.status]));
    const ready = await inject(stack.app, { method: 'GET', url: '/readyz' });
    expect([ready.status, ready.json().status]).toEqual([200, 'ready']);
    expect(statuses(ready.json() as never)).toEqual({
      policy: 'ok',
      'api-keys': 'ok',
      temporal: 'ok',
      'search-attributes': 'ok',
      worker: 'ok',
      ledger: 'ok',
      salesforce: 'ok',
      owners: 'ok',
    });
    const sfDown = await stack.build({
      salesforce: {
        ping: async () => {
          throw new Error('INVALID_SESSION_ID');
        },
      },
      readiness: { emulator: async () => undefined },
    });
    const res = await inject(sfDown, { method: 'GET', url: '/readyz' });
    expect(res.status).toBe(503);
    expect(res.json().error.message).toBe('not ready: salesforce (INVALID_SESSION_ID)');
    expect(statuses(res.json().error.details)).toMatchObject({ temporal: 'ok', worker: 'ok', salesforce: 'failed', ledger: 'ok', emulator: 'ok' });
    await sfDown.close();
  });
});
