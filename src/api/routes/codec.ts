import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../temporal/codec';
import type { ApiContext } from '../context';
import { ApiError, validationFailed, type Issue } from '../errors';
import { defineRoute } from '../route';

/** The Web UI of the embedded dev server, under either name a browser may use for it. */
export const DEFAULT_CODEC_CORS_ORIGINS = ['http://127.0.0.1:8233', 'http://localhost:8233'];

const ALLOWED_HEADERS = 'authorization, content-type, x-namespace';
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

/** A payload in proto3 JSON, as the Temporal Web UI and CLI send it: every bytes field in base64. */
const jsonPayloadSchema = z
  .object({
    metadata: z.record(z.string(), base64).nullish(),
    data: base64.nullish(),
  })
  .strict();
type JsonPayload = z.infer<typeof jsonPayloadSchema>;

export const codecBodySchema = z.object({ payloads: z.array(jsonPayloadSchema).max(1000) }).strict();
const codecAnswerSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()), data: z.string() })),
});

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * The Temporal codec-server protocol (POST <endpoint>/decode and /encode, `{ payloads }` in proto3 JSON)
 * over the same payload codecs as the API's Temporal client, so RevOps can read encrypted histories
 * with `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <revops key>"`, or a
 * Web UI whose origin is in HANDOFF_CODEC_CORS_ORIGINS.
 */
export const codecRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const origins = new Set(ctx.deps.codecCorsOrigins ?? DEFAULT_CODEC_CORS_ORIGINS);
  const codecs = () => ctx.deps.temporal.client.options.loadedDataConverter.payloadCodecs;

  // A request from a browser page on another origin is refused, whatever its credentials.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    reply.header('vary', 'Origin');
    if (!origins.has(origin)) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `origin ${origin} is not allowed to use the codec endpoint (HANDOFF_CODEC_CORS_ORIGINS)`,
      );
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
  });

  for (const direction of ['decode', 'encode'] as const) {
    const url = `/codec/${direction}`;
    app.route({
      method: 'OPTIONS',
      url,
      handler: async (_request: FastifyRequest, reply: FastifyReply) =>
        reply
          .code(204)
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', '600')
          .send(),
    });
    defineRoute(app, ctx, {
      method: 'POST',
      url,
      operationId: direction === 'decode' ? 'codecDecode' : 'codecEncode',
      summary:
        direction === 'decode'
          ? 'Codec server: decrypt payloads (Temporal Web UI / CLI --codec-endpoint <api>/codec)'
          : 'Codec server: encrypt payloads with the current payload key',
      tag: 'Operations',
      // Bearer for the CLI; the dashboard's session for the Web UI, which cannot send one ("include cross-origin credentials").
      access: { kind: 'roles', roles: ['revops'], sources: { session: true } },
      body: codecBodySchema,
      headers: {
        'X-Namespace': 'Sent by the Temporal Web UI and CLI; payload keys are per deployment, not per namespace',
      },
      responses: { 200: { description: 'The payloads, in the order sent', schema: codecAnswerSchema } },
      errors: [400],
      handler: async ({ body }) => {
        const payloads = body.payloads.map(fromJson);
        const done = direction === 'decode' ? await decodeEach(codecs(), payloads) : await encode(codecs(), payloads);
        return { payloads: done.map(toJson) };
      },
    });
  }
};

async function encode(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  let out = payloads;
  for (const codec of codecs) out = await codec.encode(out);
  return out;
}

/** Payload by payload, so a refusal says which payload (and which key id) could not be decrypted. */
async function decodeEach(codecs: readonly PayloadCodec[], payloads: Payload[]): Promise<Payload[]> {
  const issues: Issue[] = [];
  const out = await Promise.all(
    payloads.map(async (payload, i) => {
      try {
        let decoded = [payload];
        for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
        return decoded[0]!;
      } catch (err) {
        if (!(err instanceof PayloadDecryptionError)) throw err;
        issues.push({ in: 'body', path: ['payloads', i], code: 'undecryptable_payload', message: err.message });
        return payload;
      }
    }),
  );
  if (issues.length > 0) throw validationFailed(issues.sort((a, b) => Number(a.path[1]) - Number(b.path[1])));
  return out;
}
