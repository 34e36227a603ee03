import { parseArgs } from 'node:util';
import pino from 'pino';
import type { z } from 'zod';
import { LedgerBusyError, LedgerUnavailableError } from '../audit/errors';
import { createLedger, type Ledger } from '../audit/ledger';
import { funnelReport, slaCsv, slaReport, timeline } from '../audit/reports';
import { funnelQuerySchema, slaQuerySchema, timelineQuerySchema, type TimelineEntry } from '../audit/schemas';
import { ConfigError, loadCoreConfig, loadPolicyFile, policyFileOf } from '../config';
import { previewQuerySchema, previewSla, type SlaPreview } from '../domain/preview';
import { PolicyError } from '../domain/policy';
import { doctor } from './doctor';
import { progressBar } from './progress';
import { findRunningApi, getFromApi, revopsKey, runningApiFile, type ApiAnswer } from './running-api';

const USAGE = `Usage:
  handoff audit sla --from <date> --to <date> [--kind HAND_RAISE|PQL|MQL] [--owner <id>] [--team <id>] [--format json|csv]
  handoff audit funnel --from <date> --to <date>
  handoff lead <leadId> [--format text|json]
  handoff sla preview --kind HAND_RAISE|PQL|MQL --team <id> --at <instant> [--owner <id>] [--format text|json]
  handoff doctor

Dates are 2026-10-01 (midnight UTC) or ISO-8601 instants with an offset; a window is [from, to).
Reads the ledger at DATABASE_URL, or the embedded one under HANDOFF_DATA_DIR (default .handoff/);
while \`npm start\` holds the embedded ledger, reads it through the API that \`npm start\` runs
(recorded in HANDOFF_DATA_DIR/api.json) with a revops key from HANDOFF_API_KEYS or the development keys.
\`sla preview\` answers from the policy file (HANDOFF_POLICY) when the first touch would be due.
\`doctor\` checks the configuration against everything it names, one line per check.
Exit codes: 0 done, 1 failed (doctor: a check failed), 2 bad usage or input, 3 ledger unreachable.
`;

const EXIT = { ok: 0, failed: 1, usage: 2, unavailable: 3 } as const;

export type CliIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream; env: NodeJS.ProcessEnv };

class UsageError extends Error {}

const FLAG_OF: Record<string, string> = { ownerId: '--owner', leadId: '<leadId>' };

function parseQuery<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new UsageError(
    result.error.issues
      .map((i) => {
        const key = String(i.path[0] ?? '');
        return `${key ? `${FLAG_OF[key] ?? `--${key}`}: ` : ''}${i.message}`;
      })
      .join('\n'),
  );
}

/** GET on the running API (the CLI's fallback while `npm start` holds the embedded ledger). */
type ApiGet = (route: string, query?: Record<string, string | undefined>) => Promise<ApiAnswer>;

/** A command reads the ledger (directly, or through the running API), or needs neither. */
type Command =
  | {
      kind: 'ledger';
      viaLedger(ledger: Ledger, io: CliIo): Promise<number>;
      viaApi(get: ApiGet, io: CliIo): Promise<number>;
    }
  | { kind: 'local'; run(io: CliIo): Promise<number> };

/** An API answer other than 200: what the API said, with the exit code of the same failure on the ledger. */
function apiFailure(io: CliIo, answer: ApiAnswer): number {
  let message = answer.text;
  try {
    message = (JSON.parse(answer.text) as { error?: { message?: string } }).error?.message ?? answer.text;
  } catch {
    // not JSON: print the text as it came
  }
  io.stderr.write(`handoff: the API answered ${answer.status}: ${message}\n`);
  return answer.status === 400 ? EXIT.usage : answer.status === 503 ? EXIT.unavailable : EXIT.failed;
}

const printJson = (io: CliIo, value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Parses the command line into the command to run against the ledger (or throws a UsageError). */
function commandOf(argv: string[]): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      owner: { type: 'string' },
      team: { type: 'string' },
      format: { type: 'string' },
      at: { type: 'string' },
    },
  });
  const [group, name, ...rest] = positionals;
  const { owner, ...flags } = values;
  if (group === 'audit' && name === 'sla' && rest.length === 0) {
    const { format, ...filter } = parseQuery(slaQuerySchema, {
      ...flags,
      ...(owner === undefined ? {} : { ownerId: owner }),
    });
    return {
      kind: 'ledger',
      async viaLedger(ledger, io) {
        const bar = progressBar(io.stderr, 'reading the ledger');
        const report = await slaReport(ledger, filter, (done, total) => bar.update(done, total));
        bar.done();
        io.stdout.write(format === 'csv' ? slaCsv(report.leads) : `${JSON.stringify(report, null, 2)}\n`);
        return EXIT.ok;
      },
      async viaApi(get, io) {
        const answer = await get('/v1/audit/sla', { ...filter, format });
        if (answer.status !== 200) return apiFailure(io, answer);
        io.stdout.write(format === 'csv' ? answer.text : `${JSON.stringify(JSON.parse(answer.text), null, 2)}\n`);
        return EXIT.ok;
      },
    };
  }
  if (group === 'audit' && name === 'funnel' && rest.length === 0) {
    if (owner !== undefined || flags.kind !== undefined || flags.team !== undefined || flags.format !== undefined) {
      throw new UsageError('audit funnel takes --from and --to only');
    }
    const window = parseQuery(funnelQuerySchema, { from: flags.from, to: flags.to });
    return {
      kind: 'ledger',
      async viaLedger(ledger, io) {
        printJson(io, await funnelReport(ledger, window));
        return EXIT.ok;
      },
      async viaApi(get, io) {
        const answer = await get('/v1/audit/funnel', window);
        if (answer.status !== 200) return apiFailure(io, answer);
        printJson(io, JSON.parse(answer.text));
        return EXIT.ok;
      },
    };
  }
  if (group === 'lead' && name !== undefined && rest.length === 0) {
    if (Object.keys(values).some((k) => k !== 'format')) throw new UsageError('lead takes <leadId> and --format only');
    const { leadId } = parseQuery(timelineQuerySchema, { leadId: name });
    const format = flags.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format: expected text or json');
    const print = (io: CliIo, entries: TimelineEntry[]): number => {
      if (entries.length === 0) {
        io.stderr.write(`handoff: the ledger has no events for lead ${leadId}\n`);
        return EXIT.failed;
      }
      io.stdout.write(format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : timelineText(entries));
      return EXIT.ok;
    };
    return {
      kind: 'ledger',
      viaLedger: async (ledger, io) => print(io, await timeline(ledger, leadId)),
      async viaApi(get, io) {
        const answer = await get(`/v1/leads/${encodeURIComponent(leadId)}/timeline`);
        if (answer.status === 404) return print(io, []);
        if (answer.status !== 200) return apiFailure(io, answer);
        return print(io, (JSON.parse(answer.text) as { entries: TimelineEntry[] }).entries);
      },
    };
  }
  if (group === 'sla' && name === 'preview' && rest.length === 0) {
    const format = flags.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format: expected text or json');
    if (flags.from !== undefined || flags.to !== undefined)
      throw new UsageError('sla preview takes --kind, --team, --at, --owner and --format');
    const query = parseQuery(previewQuerySchema, {
      kind: flags.kind,
      team: flags.team,
      at: flags.at,
      ...(owner === undefined ? {} : { ownerId: owner }),
    });
    return {
      kind: 'local',
      async run(io) {
        const policyFile = policyFileOf(io.env);
        const policy = loadPolicyFile(policyFile);
        if (!policy.teams.some((t) => t.id === query.team)) {
          throw new UsageError(
            `--team: unknown team "${query.team}" (known: ${policy.teams.map((t) => t.id).join(', ')})`,
          );
        }
        const preview = previewSla(policy, query);
        if (format === 'json') printJson(io, preview);
        else io.stdout.write(previewText(preview, policyFile));
        return EXIT.ok;
      },
    };
  }
  if (group === 'doctor' && name === undefined) {
    if (Object.keys(values).length > 0) throw new UsageError('doctor takes no options');
    return { kind: 'local', run: (io) => doctor(io) };
  }
  throw new UsageError(positionals.length === 0 ? 'no command given' : `unknown command: ${positionals.join(' ')}`);
}

function previewText(p: SlaPreview, policyFile: string): string {
  const when = (t: { utc: string; local: string }) => `${t.utc}  (${t.local} ${p.timezone})`;
  const step = (s: SlaPreview['breachSteps'][number]) => {
    if (s.type === 'BREACH') return `${when(s.at)}  breach of window ${s.window} (owner ${s.ownerId})`;
    if (s.type === 'ESCALATE') return `${when(s.at)}  escalation task for manager ${s.to}`;
    if (s.type === 'RESTART') return `${when(s.at)}  new window for ${s.ownerId}, due ${when(s.dueAt)}`;
    if (s.type === 'REPEAT') return `${when(s.at)}  escalation repeats (owner ${s.ownerId}), next at ${when(s.nextAt)}, until someone acts`;
    return `${when(s.at)}  reassigned ${s.from} -> ${s.to}, new window due ${when(s.dueAt)}`;
  };
  return [
    `Policy ${p.policyVersion} (${policyFile}), team ${p.team}, kind ${p.kind}: first touch within ${p.window.within} (${p.window.clock} clock)`,
    `Handed to sales  ${when(p.handedToSalesAt)}, owner ${p.ownerId}`,
    `First touch due  ${when(p.firstTouchDueAt)}`,
    ...p.reminders.map((r) => `Reminder ${String(Math.round(r.fraction * 100)).padStart(3)}%    ${when(r.at)}`),
    'If nobody works it:',
    ...p.breachSteps.map((s) => `  ${step(s)}`),
    '',
  ].join('\n');
}

function timelineText(entries: TimelineEntry[]): string {
  const typeWidth = Math.max(...entries.map((e) => e.type.length));
  return entries
    .map((e) =>
      [
        e.at,
        `cycle ${e.cycle ?? '-'}`,
        (e.stage ?? '').padEnd(12),
        e.type.padEnd(typeWidth),
        e.actor ?? '-',
        JSON.stringify(e.detail),
      ].join('  '),
    )
    .join('\n')
    .concat('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout).write(USAGE);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  let ledger: Ledger | undefined;
  try {
    const command = commandOf(argv);
    if (command.kind === 'local') return await command.run(io);
    const config = loadCoreConfig(io.env);
    // Logs go to stderr, never into the report on stdout.
    const logger = pino({ level: io.env.HANDOFF_LOG_LEVEL ?? 'warn', base: { component: 'cli' } }, pino.destination(2));
    try {
      ledger = await createLedger({
        ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
        dataDir: config.HANDOFF_DATA_DIR,
        logger,
      });
    } catch (err) {
      if (!(err instanceof LedgerBusyError)) throw err;
      return await command.viaApi(runningApiGet(err, config.HANDOFF_DATA_DIR, io), io);
    }
    return await command.viaLedger(ledger, io);
  } catch (err) {
    const parseArgsError =
      err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (err instanceof UsageError || parseArgsError) {
      io.stderr.write(`handoff: ${err.message}\nRun \`handoff --help\` for usage.\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError || err instanceof PolicyError) {
      io.stderr.write(`handoff: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`handoff: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof LedgerUnavailableError ? EXIT.unavailable : EXIT.failed;
  } finally {
    await ledger?.close();
  }
}

/**
 * `npm start` holds the embedded ledger: read it through the API it runs, saying so on stderr. Without
 * a recorded live API or a plain revops key, the ledger stays unavailable, with what to do about it.
 */
function runningApiGet(busy: LedgerBusyError, dataDir: string, io: CliIo): ApiGet {
  const api = findRunningApi(dataDir);
  if (!api) {
    throw new LedgerUnavailableError(
      `${busy.message}. No running Handoff API is recorded in ${runningApiFile(dataDir)} (npm start writes it once its API listens).`,
    );
  }
  const key = revopsKey(io.env, dataDir);
  if (!key) {
    throw new LedgerUnavailableError(
      `the embedded ledger is held by npm start (pid ${api.pid}); to read it through its API at ${api.url} the CLI needs a plain revops key: set HANDOFF_API_KEYS=revops:<key>`,
    );
  }
  io.stderr.write(
    `handoff: the embedded ledger is held by npm start (pid ${api.pid}); reading it through its API at ${api.url}\n`,
  );
  return (route, query) => getFromApi(api, key, route, query);
}
