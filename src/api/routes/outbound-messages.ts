import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { triggerSchema, type Trigger } from '../../domain/inputs';
import { toId18 } from '../../domain/salesforce-id';
import type { ApiContext } from '../context';
import { ApiError, asApiError, unavailable, zodIssues, type Issue } from '../errors';
import {
  ACK_XML,
  DEFAULT_LEAD_FIELD_MAP,
  faultXml,
  notificationToTrigger,
  OutboundMessageError,
  parseOutboundMessage,
} from '../outbound-message';
import { policyIssues } from '../policy-checks';
import { defineRoute } from '../route';

const XML = 'text/xml; charset=utf-8';
const HAND_OFF_CONCURRENCY = 10;

/** Notification ids already handed to Temporal, so Salesforce's redeliveries cost nothing. */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}

/**
 * Salesforce Outbound Messages → lead triggers. Authenticated by a crm key (Bearer, or `?key=` in the
 * endpoint URL, since Salesforce cannot add headers) unless HANDOFF_OUTBOUND_REQUIRE_KEY=false, and
 * always by the organization id, compared in its 18-character form. Ack only once every notification
 * reached Temporal; any other answer makes Salesforce retry (for up to 24 h), which is what a
 * transient failure needs, and a Client fault says the message will never be accepted as is.
 */
export const outboundMessageRoutes: FastifyPluginAsync<ApiContext> = async (app, ctx) => {
  const { deps, leads } = ctx;
  const fieldMap = { ...DEFAULT_LEAD_FIELD_MAP, ...deps.outboundMessages?.fieldMap };
  const handed = new RecentIds(50_000);
  const orgId = toId18(deps.salesforceOrgId) ?? deps.salesforceOrgId;
  const requireKey = deps.outboundMessages?.requireKey ?? true;

  // Salesforce reads SOAP faults, so every error of this route, even a 413 or 429, is answered as one.
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    const apiError = tooLargeIsClientError(asApiError(err, request));
    return reply
      .code(apiError.statusCode)
      .headers(apiError.headers)
      .type(XML)
      .send(faultXml(apiError.statusCode < 500 ? 'Client' : 'Server', apiError.message));
  });

  defineRoute(app, ctx, {
    method: 'POST',
    url: '/v1/salesforce/outbound-messages',
    operationId: 'salesforceOutboundMessage',
    summary: 'Salesforce Outbound Message (SOAP 1.1) with up to 100 Lead notifications; answers the SOAP Ack',
    tag: 'CRM',
    access: requireKey ? { kind: 'roles', roles: ['crm'], sources: { queryKey: true } } : { kind: 'salesforce-org' },
    responses: {
      200: { description: 'SOAP notificationsResponse with Ack true', contentType: 'text/xml' },
      400: { description: 'SOAP Fault (Client): not a valid Outbound Message (malformed, nested too deep, over 1 MB)', contentType: 'text/xml' },
      401: { description: 'SOAP Fault (Client): the endpoint requires a crm key (Bearer, or ?key=<crm key> in its URL)', contentType: 'text/xml' },
      403: { description: 'SOAP Fault (Client): the OrganizationId is not the configured org, or the key is not a crm key', contentType: 'text/xml' },
      429: { description: 'SOAP Fault (Client): rate limited', contentType: 'text/xml' },
      500: { description: 'SOAP Fault (Server): unexpected failure; Salesforce retries', contentType: 'text/xml' },
      503: { description: 'SOAP Fault (Server): Temporal unavailable; Salesforce retries', contentType: 'text/xml' },
    },
    errors: [],
    handler: async ({ request, reply }) => {
      if (typeof request.body !== 'string') {
        throw new ApiError(400, 'VALIDATION_FAILED', 'expected a SOAP Outbound Message (Content-Type text/xml)');
      }
      let message;
      try {
        message = parseOutboundMessage(request.body);
      } catch (err) {
        if (err instanceof OutboundMessageError) throw new ApiError(400, 'VALIDATION_FAILED', err.message);
        throw err;
      }
      if (toId18(message.organizationId) !== orgId) {
        request.log.warn({ organizationId: message.organizationId.slice(0, 40) }, 'outbound message from a foreign organization refused');
        throw new ApiError(403, 'FORBIDDEN', `organization ${message.organizationId.slice(0, 40)} is not accepted by this endpoint`);
      }

      const { receivedAt } = request;
      const seen = new Set<string>();
      const issues: Issue[] = [];
      const triggers: Trigger[] = [];
      for (const [i, notification] of message.notifications.entries()) {
        if (seen.has(notification.id) || handed.has(notification.id)) continue;
        seen.add(notification.id);
        const at = (issue: Issue): Issue => ({ ...issue, path: ['Notification', i, ...issue.path] });
        if (notification.sObjectType !== 'Lead') {
          issues.push(at({ in: 'body', path: ['sObject'], code: 'invalid_type', message: `expected a Lead, got ${notification.sObjectType}` }));
          continue;
        }
        const parsed = triggerSchema.safeParse(notificationToTrigger(notification, fieldMap, receivedAt));
        const problems = parsed.success ? policyIssues({ type: 'trigger', trigger: parsed.data }, deps.policy) : zodIssues('body', parsed.error);
        if (problems.length > 0) issues.push(...problems.map(at));
        else if (parsed.success) triggers.push(parsed.data);
      }
      if (issues.length > 0) {
        const summary = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        throw new ApiError(400, 'VALIDATION_FAILED', `invalid notifications, none was handed over: ${summary}`);
      }

      const failures: unknown[] = [];
      await forEachConcurrently(triggers, HAND_OFF_CONCURRENCY, async (trigger) => {
        try {
          await leads.ingestTrigger(trigger, receivedAt);
          handed.add(trigger.eventId);
        } catch (err) {
          // The workflow's refusal is a final answer: a retry by Salesforce would get the same one.
          if (err instanceof ApiError && err.statusCode < 500) {
            request.log.warn({ leadId: trigger.leadId, code: err.code, reason: err.message }, 'outbound notification refused by the workflow');
            handed.add(trigger.eventId);
          } else failures.push(err);
        }
      });
      if (failures.length > 0) {
        const first = failures[0];
        if (first instanceof ApiError && first.statusCode === 503) {
          throw unavailable(`${failures.length} of ${triggers.length} notifications could not be handed to Temporal; retry`);
        }
        throw first;
      }
      request.log.info({ notifications: message.notifications.length, handed: triggers.length }, 'outbound message acknowledged');
      return reply.code(200).type(XML).send(ACK_XML);
    },
  });
};

/** A body over the limit will be as large on every retry: a Client fault, with 400 as for any bad message. */
function tooLargeIsClientError(error: ApiError): ApiError {
  return error.code === 'PAYLOAD_TOO_LARGE' ? new ApiError(400, 'VALIDATION_FAILED', `${error.message}: not a valid Outbound Message`) : error;
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
