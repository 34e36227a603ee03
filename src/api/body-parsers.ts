import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received (HMAC signatures are computed over it). */
    rawBody?: string;
    /** Why the body could not be read; reported as 400 only after authentication. */
    bodyProblem?: string;
  }
}

export const XML_CONTENT_TYPES = ['text/xml', 'application/xml', 'application/soap+xml'];

/**
 * Body parsers that never fail the request themselves: they keep the raw text and note a problem,
 * so an unauthenticated caller gets 401 (not a parse error) and an authenticated one a 400.
 */
export function installBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();

  const jsonParser: FastifyBodyParser<string> = (request, text, done) => {
    request.rawBody = text;
    if (text.length === 0) return done(null, undefined);
    parseJson(request, text, (err, parsed) => {
      if (err) request.bodyProblem = 'the body is not valid JSON';
      done(null, err ? undefined : parsed);
    });
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, jsonParser);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'string' }, jsonParser);

  app.addContentTypeParser(XML_CONTENT_TYPES, { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    done(null, body);
  });

  app.addContentTypeParser('*', { parseAs: 'string' }, (request: FastifyRequest, body, done) => {
    request.rawBody = body as string;
    const type = request.headers['content-type'];
    if ((body as string).length > 0) {
      request.bodyProblem = type ? `unsupported Content-Type "${type}" (expected application/json)` : 'missing Content-Type (expected application/json)';
    }
    done(null, undefined);
  });
}
