import { parseArgs } from 'node:util';
import pino from 'pino';
import type { z } from 'zod';
import { LedgerUnavailableError } from '../audit/errors';
import { createLedger, type Ledger } from '../audit/ledger';
import { funnelReport, slaCsv, slaReport, timeline } from '../audit/reports';
import { funnelQuerySchema, slaQuerySchema, timelineQuerySchema, type TimelineEntry } from '../audit/schemas';
import { ConfigError, loadCoreConfig } from '../config';
import { progressBar } from './progress';

const USAGE = `Usage:
  handoff audit sla --from <date> --to <date> [--kind HAND_RAISE|PQL|MQL] [--owner <id>] [--team <id>] [--format json|csv]
  handoff audit funnel --from <date> --to <date>
  handoff lead <leadId> [--format text|json]

Dates are 2026-10-01 (midnight UTC) or ISO-8601 instants with an offset; a window is [from, to).
Reads the ledger at DATABASE_URL, or the embedded one under HANDOFF_DATA_DIR (default .handoff/).
Exit codes: 0 done, 1 failed, 2 bad usage or input, 3 ledger unreachable.
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

type Command = (ledger: Ledger, io: CliIo) => Promise<number>;

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
    },
  });
  const [group, name, ...rest] = positionals;
  const { owner, ...flags } = values;
  if (group === 'audit' && name === 'sla' && rest.length === 0) {
    const { format, ...filter } = parseQuery(slaQuerySchema, { ...flags, ...(owner === undefined ? {} : { ownerId: owner }) });
    return async (ledger, io) => {
      const bar = progressBar(io.stderr, 'reading the ledger');
      const report = await slaReport(ledger, filter, (done, total) => bar.update(done, total));
      bar.done();
      io.stdout.write(format === 'csv' ? slaCsv(report.leads) : `${JSON.stringify(report, null, 2)}\n`);
      return EXIT.ok;
    };
  }
  if (group === 'audit' && name === 'funnel' && rest.length === 0) {
    if (owner !== undefined || flags.kind !== undefined || flags.team !== undefined || flags.format !== undefined) {
      throw new UsageError('audit funnel takes --from and --to only');
    }
    const window = parseQuery(funnelQuerySchema, { from: flags.from, to: flags.to });
    return async (ledger, io) => {
      io.stdout.write(`${JSON.stringify(await funnelReport(ledger, window), null, 2)}\n`);
      return EXIT.ok;
    };
  }
  if (group === 'lead' && name !== undefined && rest.length === 0) {
    if (Object.keys(values).some((k) => k !== 'format')) throw new UsageError('lead takes <leadId> and --format only');
    const { leadId } = parseQuery(timelineQuerySchema, { leadId: name });
    const format = flags.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format: expected text or json');
    return async (ledger, io) => {
      const entries = await timeline(ledger, leadId);
      if (entries.length === 0) {
        io.stderr.write(`handoff: the ledger has no events for lead ${leadId}\n`);
        return EXIT.failed;
      }
      io.stdout.write(format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : timelineText(entries));
      return EXIT.ok;
    };
  }
  throw new UsageError(positionals.length === 0 ? 'no command given' : `unknown command: ${positionals.join(' ')}`);
}

function timelineText(entries: TimelineEntry[]): string {
  const typeWidth = Math.max(...entries.map((e) => e.type.length));
  return entries
    .map((e) =>
      [e.at, `cycle ${e.cycle ?? '-'}`, (e.stage ?? '').padEnd(12), e.type.padEnd(typeWidth), e.actor ?? '-', JSON.stringify(e.detail)].join('  '),
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
    const config = loadCoreConfig(io.env);
    // Logs go to stderr, never into the report on stdout.
    const logger = pino({ level: io.env.HANDOFF_LOG_LEVEL ?? 'warn', base: { component: 'cli' } }, pino.destination(2));
    ledger = await createLedger({ ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}), dataDir: config.HANDOFF_DATA_DIR, logger });
    return await command(ledger, io);
  } catch (err) {
    const parseArgsError = err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (err instanceof UsageError || parseArgsError) {
      io.stderr.write(`handoff: ${err.message}\nRun \`handoff --help\` for usage.\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`handoff: ${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`handoff: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof LedgerUnavailableError ? EXIT.unavailable : EXIT.failed;
  } finally {
    await ledger?.close();
  }
}
