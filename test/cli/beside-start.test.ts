import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { npmStart, REPO, type NpmStart } from '../helpers/npm-start';

const BIN = path.join(REPO, 'bin/handoff.js');
type Run = { code: number; stdout: string; stderr: string };

function handoff(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const today = () => new Date().toISOString().slice(0, 10);
const inTwoDays = () => new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

describe('the CLI while npm start runs (it holds the embedded ledger)', () => {
  let start: NpmStart;
  let leadId: string;

  beforeAll(async () => {
    start = await npmStart();
    // One lead through the running API, as the CRM would send it.
    const keys = fs.readFileSync(path.join(start.dataDir, 'dev-api-keys'), 'utf8');
    const crm = /crm:([^,\s]+)/.exec(keys)![1];
    leadId = '00Q000000000042EAA';
    const res = await fetch(`${start.apiUrl}/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${crm}`, 'content-type': 'application/json' },
      body: JSON.stringify({ leadId, eventId: 'cli-1', occurredAt: new Date().toISOString(), kind: 'HAND_RAISE' }),
    });
    expect([200, 202]).toContain(res.status);
  }, 300_000);
  afterAll(() => start?.stop());

  it('npm start records its API in the data dir', () => {
    expect(JSON.parse(fs.readFileSync(path.join(start.dataDir, 'api.json'), 'utf8'))).toEqual({
      url: start.apiUrl,
      pid: expect.any(Number),
    });
  });

  it('audit sla reads the ledger through the running API, says so on stderr, and keeps stdout to the report', async () => {
    const run = await handoff(['audit', 'sla', '--from', today(), '--to', inTwoDays(), '--format', 'csv'], start.env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^handoff: the embedded ledger is held by npm start \(pid \d+\); reading it through its API at http:\/\/127\.0\.0\.1:\d+\n$/,
    );
    expect(run.stdout.split('\r\n')[0]).toMatch(/^leadId,kind,/);
    expect(run.stdout).toContain(`${leadId},HAND_RAISE,`);
  });

  it('audit funnel and lead work the same way; an unknown lead is exit 1, a bad window exit 2', async () => {
    const funnel = await handoff(['audit', 'funnel', '--from', today(), '--to', inTwoDays()], start.env);
    expect(funnel.code).toBe(0);
    expect(
      JSON.parse(funnel.stdout).stages.find((s: { stage: string }) => s.stage === 'MQL').leads,
    ).toBeGreaterThanOrEqual(1);
    const lead = await handoff(['lead', leadId, '--format', 'json'], start.env);
    expect(lead.code).toBe(0);
    expect(JSON.parse(lead.stdout).map((e: { type: string }) => e.type)).toContain('QUALIFIED');
    const unknown = await handoff(['lead', '00Q000000000099AAA'], start.env);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      expect.stringContaining('the ledger has no events for lead 00Q000000000099EAA'),
    ]);
    const backwards = await handoff(['audit', 'funnel', '--from', inTwoDays(), '--to', today()], start.env);
    expect(backwards.code).toBe(2);
  });

  it('without a plain revops key it says what to set (exit 3), never just "busy"', async () => {
    const run = await handoff(['audit', 'funnel', '--from', today(), '--to', inTwoDays()], {
      ...start.env,
      HANDOFF_API_KEYS: 'revops:sha256:' + '0'.repeat(64),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /held by npm start \(pid \d+\); to read it through its API at .* set HANDOFF_API_KEYS=revops:<key>/,
    );
  });

  it('doctor passes every check against the running system, the ledger answered by npm start', async () => {
    const run = await handoff(['doctor'], start.env);
    const lines = run.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok policy',
      'ok api-keys',
      'ok temporal',
      'ok search-attributes',
      'ok worker',
      'ok ledger',
      'ok salesforce',
      'ok owners',
    ]);
    expect(run.stdout).toMatch(/ledger .*migrations current.*answered by npm start/);
    expect(run.code).toBe(0);
  });

  it('/readyz answers the same checks', async () => {
    const res = await fetch(`${start.apiUrl}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { checks: { name: string; status: string }[] };
    expect(body.checks.map((c) => `${c.name} ${c.status}`)).toEqual(
      ['policy', 'api-keys', 'temporal', 'search-attributes', 'worker', 'ledger', 'salesforce', 'owners'].map((n) => `${n} ok`),
    );
  });

  it('doctor fails (exit 1) with a fix when the policy does not parse', async () => {
    const bad = path.join(start.dataDir, 'bad-policy.yaml');
    fs.writeFileSync(bad, 'version: 1\nteams: []\n');
    const run = await handoff(['doctor'], { ...start.env, HANDOFF_POLICY: bad });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}policy .*-> fix: fix the listed problems/m);
  });
});
