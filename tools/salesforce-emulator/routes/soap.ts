import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DmlContext } from '../dml';
import { convertLead, type LeadConvertRequest, type LeadConvertResult } from '../lead-convert';

/**
 * The Partner SOAP API endpoint (`/services/Soap/u/NN.N`), for the one call the REST API lacks:
 * `convertLead()` (jsforce `conn.soap.convertLead`). Faults are HTTP 500 as in Salesforce; an
 * invalid session answers the `sf:INVALID_SESSION_ID` fault jsforce refreshes its token on.
 */
export const SOAP_PATH = /^\/services\/Soap\/u\/(\d+\.\d)\/?$/;
export const XML_CONTENT_TYPE = 'text/xml;charset=UTF-8';
const MAX_LEAD_CONVERTS = 100;

export interface SoapEnv {
  /** The DML context of the session's user, or undefined when the session id is not a live token. */
  dmlFor(sessionId: string): DmlContext | undefined;
}

export interface SoapReply {
  status: number;
  body: string;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'leadConverts',
});

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );
}

const element = (name: string, value: string | null) =>
  value === null ? `<${name} xsi:nil="true"/>` : `<${name}>${escapeXml(value)}</${name}>`;

export function soapFault(code: string, message: string): SoapReply {
  return {
    status: 500,
    body: `${ENVELOPE_OPEN}<soapenv:Fault>${element('faultcode', code)}${element('faultstring', message)}</soapenv:Fault>${ENVELOPE_CLOSE}`,
  };
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(node: Node, name: string): string | null {
  const value = node[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value) && typeof value['#text'] === 'string') return value['#text'];
  return null;
}

function leadConvertOf(node: unknown): LeadConvertRequest | null {
  if (!isNode(node)) return null;
  return {
    leadId: text(node, 'leadId') ?? '',
    convertedStatus: text(node, 'convertedStatus'),
    doNotCreateOpportunity: text(node, 'doNotCreateOpportunity') === 'true',
    accountId: text(node, 'accountId'),
    contactId: text(node, 'contactId'),
    opportunityId: text(node, 'opportunityId'),
  };
}

function renderResult(result: LeadConvertResult): string {
  const fields = result.success
    ? [
        element('accountId', result.accountId),
        element('contactId', result.contactId),
        element('leadId', result.leadId),
        element('opportunityId', result.opportunityId),
        element('success', 'true'),
      ]
    : [
        `<errors>${element('message', result.message)}${element('statusCode', result.statusCode)}</errors>`,
        element('leadId', result.leadId),
        element('success', 'false'),
      ];
  return `<result>${fields.join('')}</result>`;
}

export function handleSoap(env: SoapEnv, method: string, body: string): SoapReply {
  if (method !== 'POST')
    return soapFault('soapenv:Client', `HTTP method ${method} is not supported by the SOAP endpoint; use POST`);
  if (/<!DOCTYPE/i.test(body))
    return soapFault(
      'soapenv:Client',
      'DOCTYPE is disallowed when the feature "http://apache.org/xml/features/disallow-doctype-decl" set to true.',
    );
  if (XMLValidator.validate(body) !== true)
    return soapFault('soapenv:Client', 'Unable to parse the request: the body is not well-formed XML');
  const root = parser.parse(body) as Node;
  const envelope = root.Envelope;
  const soapBody = isNode(envelope) ? envelope.Body : undefined;
  if (!isNode(envelope) || !isNode(soapBody))
    return soapFault(
      'soapenv:Client',
      'Element {http://schemas.xmlsoap.org/soap/envelope/}Envelope with a Body expected',
    );
  const header = isNode(envelope.Header) ? envelope.Header : {};
  const sessionId = isNode(header.SessionHeader) ? text(header.SessionHeader, 'sessionId') : null;
  const dml = sessionId ? env.dmlFor(sessionId) : undefined;
  if (!dml)
    return soapFault(
      'sf:INVALID_SESSION_ID',
      'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session',
    );
  const [operation] = Object.keys(soapBody).filter((k) => !k.startsWith('@'));
  if (operation !== 'convertLead') {
    return soapFault(
      'soapenv:Client',
      `No operation available for request {urn:partner.soap.sforce.com}${operation ?? ''} (the emulator implements convertLead only)`,
    );
  }
  const call = soapBody.convertLead;
  const converts = isNode(call) && Array.isArray(call.leadConverts) ? call.leadConverts.map(leadConvertOf) : [];
  if (converts.length === 0 || converts.some((c) => c === null))
    return soapFault('sf:INVALID_FIELD', 'convertLead expects one or more leadConverts elements');
  if (converts.length > MAX_LEAD_CONVERTS)
    return soapFault(
      'sf:EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_LEAD_CONVERTS} records into this call`,
    );
  const results = (converts as LeadConvertRequest[]).map((c) => convertLead(dml, c));
  return {
    status: 200,
    body: `${ENVELOPE_OPEN}<convertLeadResponse>${results.map(renderResult).join('')}</convertLeadResponse>${ENVELOPE_CLOSE}`,
  };
}
