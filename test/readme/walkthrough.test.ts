import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { npmStart, REPO, type NpmStart } from '../helpers/npm-start';

/*
 * The README's curl walkthrough, run with bash exactly as written against a real `npm start` on
 * spare ports. A `curl` function in front of the block records each call's status and body, so
 * each step is checked on what the contract guarantees (stages, status codes, the lead in the
 * reports), not on wording.
 */

const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** The shell block after the `<!-- walkthrough -->` marker. */
function walkthroughBlock(readme: string): string {
  const marker = readme.indexOf('<!-- walkthrough -->');
  if (marker < 0) throw new Error('README.md has no <!-- walkthrough --> marker');
  const match = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(marker));
  if (!match) throw new Error('no ```sh block after the walkthrough marker');
  return match[1]!;
}

const RECORDING_CURL = `
curl() {
  local body status
  body=$(mktemp)
  status=$(command curl -o "$body" -w '%{http_code}' "$@")
  printf '%s\\t%s\\t%s\\n' "$status" "$(printf '%s\\n' "$@" | base64 -w0)" "$(base64 -w0 < "$body")" >> "$WALKTHROUGH_LOG"
  cat "$body"
  rm -f "$body"
}
`;

type Call = { status: number; args: string[]; body: string };

function runBash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-e', '-o', 'pipefail', '-c', script],
      { cwd: REPO, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the README walkthrough, followed to the letter against npm start', () => {
  let start: NpmStart;
  let calls: Call[];
  let run: { code: number; stdout: string; stderr: string };
  let lead: string;

  beforeAll(async () => {
    start = await npmStart();
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-walkthrough-')), 'calls.tsv');
    fs.writeFileSync(log, '');
    run = await runBash(`${RECORDING_CURL}\n${walkthroughBlock(README)}`, { ...start.env, WALKTHROUGH_LOG: log });
    calls = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [status, args, body] = line.split('\t');
        return {
          status: Number(status),
          args: Buffer.from(args!, 'base64').toString().split('\n').filter(Boolean),
          body: Buffer.from(body ?? '', 'base64').toString(),
        };
      });
    lead = JSON.parse(calls.find((c) => c.args.some((a) => a.endsWith('/sobjects/Lead')))?.body ?? '{}').id;
  }, 400_000);
  afterAll(() => start?.stop());

  const call = (method: string, pattern: RegExp, nth = 0): Call => {
    const found = calls.filter((c) => {
      const x = c.args.indexOf('-X');
      return (x >= 0 ? c.args[x + 1] : 'GET') === method && c.args.some((a) => pattern.test(a));
    });
    const c = found[nth];
    if (!c)
      throw new Error(
        `no ${method} ${pattern} call (#${nth}) in the walkthrough; calls: ${calls.map((k) => k.args.join(' ')).join('\n')}`,
      );
    return c;
  };
  const json = (c: Call) => JSON.parse(c.body) as Record<string, any>;

  it('runs to the end without an error', () => {
    expect({
      code: run.code,
      stderr: run.stderr
        .split('\n')
        .filter((l) => !l.startsWith('handoff: the embedded ledger is held by npm start'))
        .join('\n')
        .trim(),
    }).toEqual({
      code: 0,
      stderr: '',
    });
  });

  it('1. creates a Lead in the emulator', () => {
    expect(call('POST', /\/services\/oauth2\/token$/).status).toBe(200);
    expect(call('POST', /\/sobjects\/Lead$/).status).toBe(201);
    expect(lead).toMatch(/^00Q[A-Za-z0-9]{15}$/);
  });

  it('2. the CRM trigger hands it to sales as a HAND_RAISE MQL', () => {
    const trigger = call('POST', /\/v1\/leads$/);
    expect([200, 202]).toContain(trigger.status);
    expect(json(trigger)).toMatchObject({ leadId: lead, stage: 'MQL', kind: 'HAND_RAISE' });
  });

  it('3. accept, contact, qualify and convert move it SAL → SQL → CONVERTED; a second accept is a 409', () => {
    const accept = call('POST', /\/accept$/, 0);
    expect([accept.status, json(accept).stage]).toEqual([200, 'SAL']);
    expect(json(accept).sla.status).toBe('MET');
    const contact = call('POST', /\/contact-attempts$/);
    expect([contact.status, json(contact).stage, json(contact).cadence.attempts]).toEqual([200, 'SAL', 1]);
    const qualify = call('POST', /\/qualify$/);
    expect([qualify.status, json(qualify).stage]).toEqual([200, 'SQL']);
    const convert = call('POST', /\/convert$/);
    expect([convert.status, json(convert).stage]).toEqual([200, 'CONVERTED']);
    const again = call('POST', /\/accept$/, 1);
    expect([again.status, json(again).error.code]).toEqual([409, 'INVALID_TRANSITION']);
  });

  it('4. Salesforce shows the lead record and the handoff tasks', async () => {
    expect(call('GET', /\/sobjects\/Lead\/00Q/).status).toBe(200);
    const tasks = call('GET', /\/query\?q=SELECT/);
    expect(tasks.status).toBe(200);
    expect(json(tasks).totalSize).toBeGreaterThan(0);
    // The write-back is asynchronous: the lead reaches CONVERTED in Salesforce soon after.
    const token = json(call('POST', /\/services\/oauth2\/token$/)).access_token as string;
    const url = `http://127.0.0.1:${start.env.SALESFORCE_EMULATOR_PORT}/services/data/v62.0/sobjects/Lead/${lead}`;
    let stage: unknown;
    for (let i = 0; i < 100 && stage !== 'CONVERTED'; i++) {
      stage = (
        (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>
      ).Handoff_Stage__c;
      if (stage !== 'CONVERTED') await new Promise((r) => setTimeout(r, 200));
    }
    expect(stage).toBe('CONVERTED');
  });

  it("5. RevOps finds the lead in its timeline, in the SLA report and the funnel of the README's windows", () => {
    const timeline = call('GET', /\/timeline$/);
    expect(timeline.status).toBe(200);
    expect(json(timeline).entries.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['QUALIFIED', 'ACCEPTED', 'CONVERTED']),
    );
    const sla = call('GET', /\/v1\/audit\/sla\?/);
    expect(sla.status).toBe(200);
    const rows = sla.body.trim().split(/\r?\n/);
    const header = rows[0]!.split(',');
    const row = rows.map((r) => r.split(',')).find((r) => r[header.indexOf('leadId')] === lead);
    expect(row?.[header.indexOf('status')]).toBe('MET');
    const funnel = call('GET', /\/v1\/audit\/funnel\?/);
    expect(funnel.status).toBe(200);
    expect(json(funnel).stages.find((s: { stage: string }) => s.stage === 'CONVERTED').leads).toBeGreaterThanOrEqual(1);
    const preview = call('GET', /\/v1\/policy\/preview\?/);
    expect([preview.status, json(preview).kind, json(preview).team]).toEqual([200, 'HAND_RAISE', 'na']);
  });

  it('6. the CLI beside npm start reads the same ledger through the running API', () => {
    expect(run.stdout).toContain(`${lead},HAND_RAISE,`);
    expect(run.stderr).toContain('reading it through its API');
    expect(run.stdout).toMatch(new RegExp(`CONVERTED\\s+CONVERTED`));
  });
});
