/**
 * Payload encryption cost: encode (JSON + AES-256-GCM) and decode of the payloads a lead sends most,
 * through Handoff's data converter, measured one payload at a time.
 *
 *   npm run bench:codec -- [--iterations 20000]
 *
 * Figures: per-payload latency percentiles and throughput for the workflow input (it carries the
 * whole policy) and for a sales action (a reject with notes), plus the size the encryption adds.
 */
import { parseArgs } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadPolicyFile, DEFAULT_POLICY_FILE } from '../src/config';
import { EncryptionCodec, generatePayloadKey } from '../src/temporal/codec';
import { percentile } from '../test/helpers/measure';

async function measure(codec: EncryptionCodec, value: unknown, iterations: number) {
  const plain = defaultPayloadConverter.toPayload(value);
  const [sample] = await codec.encode([plain]);
  const round: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
    const [decoded] = await codec.decode([encoded!]);
    defaultPayloadConverter.fromPayload(decoded!);
    round.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  round.sort((a, b) => a - b);
  return {
    plainBytes: plain.data!.length,
    encryptedBytes: sample!.data!.length,
    p50: percentile(round, 50),
    p99: percentile(round, 99),
    perSecond: Math.round((iterations / wallMs) * 1000),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '20000' } } });
  const iterations = Number(values.iterations);
  const codec = new EncryptionCodec([generatePayloadKey('bench')]);
  const policy = loadPolicyFile(DEFAULT_POLICY_FILE);
  const cases = {
    'workflow input (lead + policy)': { leadId: '00Q5g00000AbCdEFGH', policy },
    'reject with notes': {
      repId: '0055g00000AbCdEFGH',
      reason: 'NO_BUDGET',
      notes: 'Budget frozen until Q3; call jane.doe@example.com on +1 415 555 0199',
    },
  };
  process.stdout.write(
    `payload encryption, ${iterations} encode+decode round trips per payload (one at a time), node ${process.version}\n`,
  );
  for (const [name, value] of Object.entries(cases)) {
    const r = await measure(codec, value, iterations);
    process.stdout.write(
      `  ${name.padEnd(32)} ${String(r.plainBytes).padStart(6)} B -> ${String(r.encryptedBytes).padStart(6)} B   ` +
        `round trip p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms   ${r.perSecond}/s\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
