import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Salesforce Outbound Messages (SOAP 1.1 push, docs/contracts/salesforce.md): a pure parser
 * that resolves namespaces properly (prefixes are the sender's choice), and the Ack / Fault answers.
 */
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  outbound: 'http://soap.sforce.com/2005/09/outbound',
  sobject: 'urn:sobject.enterprise.soap.sforce.com',
} as const;

export const MAX_NOTIFICATIONS = 100;
/** An Outbound Message nests about eight deep (Envelope, Body, notifications, Notification, sObject, field…). */
export const MAX_XML_DEPTH = 32;
/** What XML 1.0 forbids even as text (NUL among them, which Postgres refuses too). */
const FORBIDDEN_XML_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export interface OutboundNotification {
  /** The notification id (04l…): the same across Salesforce's retries of one change. */
  id: string;
  sObjectType: string;
  /** Field values by API name; `xsi:nil` and empty elements are null; nested elements use dotted names. */
  fields: Record<string, string | null>;
}

export interface OutboundMessage {
  organizationId: string;
  actionId: string | null;
  notifications: OutboundNotification[];
}

export class OutboundMessageError extends Error {
  override readonly name = 'OutboundMessageError';
}

interface XmlElement {
  ns: string;
  local: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  text: string;
}

type RawNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_XML_DEPTH,
});

export function parseOutboundMessage(xml: string): OutboundMessage {
  // SOAP forbids DTDs; refusing them also rules out entity-expansion tricks.
  if (/<!DOCTYPE/i.test(xml)) throw new OutboundMessageError('DTDs are not allowed in SOAP messages');
  if (FORBIDDEN_XML_CHARACTERS.test(xml)) throw new OutboundMessageError('the message holds control characters XML does not allow (e.g. NUL)');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new OutboundMessageError(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: RawNode[];
  try {
    raw = parser.parse(xml) as RawNode[];
  } catch (err) {
    // The validator passed it, so this is a limit of the parser: today only the nesting depth.
    throw new OutboundMessageError(`XML the parser refuses: ${(err as Error).message} (at most ${MAX_XML_DEPTH} levels of elements)`);
  }
  const roots = toElements(raw, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));

  const envelope = roots.find((e) => e.ns === NS.soap && e.local === 'Envelope');
  if (!envelope) throw new OutboundMessageError('expected a SOAP 1.1 Envelope');
  const body = child(envelope, NS.soap, 'Body');
  const notifications = body && child(body, NS.outbound, 'notifications');
  if (!notifications) throw new OutboundMessageError(`expected Body/notifications in namespace ${NS.outbound}`);

  const organizationId = textOf(child(notifications, NS.outbound, 'OrganizationId'));
  if (!organizationId) throw new OutboundMessageError('missing OrganizationId');
  const items = notifications.children.filter((e) => e.ns === NS.outbound && e.local === 'Notification');
  if (items.length === 0) throw new OutboundMessageError('no Notification');
  if (items.length > MAX_NOTIFICATIONS) throw new OutboundMessageError(`${items.length} notifications (at most ${MAX_NOTIFICATIONS})`);

  return {
    organizationId,
    actionId: textOf(child(notifications, NS.outbound, 'ActionId')),
    notifications: items.map((item, i) => {
      const id = textOf(child(item, NS.outbound, 'Id'));
      const sObject = child(item, NS.outbound, 'sObject');
      if (!id || !sObject) throw new OutboundMessageError(`Notification ${i + 1}: expected Id and sObject`);
      return { id, sObjectType: sObjectType(sObject), fields: fieldsOf(sObject) };
    }),
  };
}

function toElements(nodes: RawNode[], scope: Map<string, string>): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (name === undefined) continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
    const inner = new Map(scope);
    for (const [attr, value] of Object.entries(rawAttrs)) {
      if (attr === 'xmlns') inner.set('', value);
      else if (attr.startsWith('xmlns:')) inner.set(attr.slice('xmlns:'.length), value);
    }
    const { ns, local } = resolve(name, inner, true);
    const attrs = new Map<string, string>();
    for (const [attr, value] of Object.entries(rawAttrs)) {
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue;
      const resolved = resolve(attr, inner, false);
      attrs.set(`{${resolved.ns}}${resolved.local}`, value);
    }
    const content = (node[name] ?? []) as RawNode[];
    const text = content
      .map((c) => c['#text'])
      .filter((t) => t !== undefined)
      .join('');
    elements.push({ ns, local, attrs, children: toElements(content, inner), text: String(text) });
  }
  return elements;
}

/** `prefix:local` against the in-scope declarations; unprefixed attributes have no namespace. */
function resolve(qname: string, scope: Map<string, string>, isElement: boolean): { ns: string; local: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { ns: isElement ? (scope.get('') ?? '') : '', local: qname };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) throw new OutboundMessageError(`undeclared namespace prefix "${prefix}"`);
  return { ns, local: qname.slice(colon + 1) };
}

const child = (parent: XmlElement, ns: string, local: string): XmlElement | undefined =>
  parent.children.find((e) => e.ns === ns && e.local === local);

const isNil = (element: XmlElement): boolean => {
  const nil = element.attrs.get(`{${NS.xsi}}nil`);
  return nil === 'true' || nil === '1';
};

function textOf(element: XmlElement | undefined): string | null {
  if (!element || isNil(element) || element.text === '') return null;
  return element.text;
}

/** `xsi:type="sf:Lead"` is a QName: its prefix is resolved like an element's (by the declaration in scope). */
function sObjectType(sObject: XmlElement): string {
  const type = sObject.attrs.get(`{${NS.xsi}}type`);
  if (!type) throw new OutboundMessageError('sObject without xsi:type');
  return type.includes(':') ? type.slice(type.indexOf(':') + 1) : type;
}

function fieldsOf(sObject: XmlElement, prefix = ''): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  for (const field of sObject.children) {
    const name = `${prefix}${field.local}`;
    if (field.children.length > 0 && !isNil(field)) Object.assign(fields, fieldsOf(field, `${name}.`));
    else fields[name] = textOf(field);
  }
  return fields;
}

/** Which Lead field feeds which trigger field (docs/contracts/salesforce.md names by default; configurable). */
export interface LeadFieldMap {
  leadId: string;
  ownerId: string;
  fitScore: string;
  intentScore: string;
  kind: string;
  occurredAt: string;
  team?: string;
  timezone?: string;
}

export const DEFAULT_LEAD_FIELD_MAP: LeadFieldMap = {
  leadId: 'Id',
  ownerId: 'OwnerId',
  fitScore: 'Fit_Score__c',
  intentScore: 'Intent_Score__c',
  kind: 'Handoff_Kind__c',
  occurredAt: 'LastModifiedDate',
};

/**
 * The trigger a notification stands for, unvalidated (the caller parses it with triggerSchema).
 * The notification id is the trigger's eventId, so a redelivered notification is deduplicated by the
 * workflow as well. Null / absent fields are left out: they mean "unknown", not "clear it".
 */
export function notificationToTrigger(notification: OutboundNotification, map: LeadFieldMap, receivedAt: string): Record<string, unknown> {
  const value = (field: string | undefined): string | undefined =>
    field === undefined ? undefined : (notification.fields[field] ?? undefined);
  const number = (field: string): number | string | undefined => {
    const raw = value(field);
    return raw !== undefined && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  };
  const trigger: Record<string, unknown> = {
    leadId: value(map.leadId),
    eventId: notification.id,
    occurredAt: value(map.occurredAt) ?? receivedAt,
    ownerId: value(map.ownerId),
    fitScore: number(map.fitScore),
    intentScore: number(map.intentScore),
    kind: value(map.kind),
    team: value(map.team),
    timezone: value(map.timezone),
  };
  return Object.fromEntries(Object.entries(trigger).filter(([, v]) => v !== undefined));
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

export const ACK_XML = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="${NS.soap}">
 <soapenv:Body>
  <notificationsResponse xmlns="${NS.outbound}">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>
`;

/** A SOAP 1.1 Fault: `Client` for a message that will never be accepted as is, `Server` for a retryable failure. */
export function faultXml(code: 'Client' | 'Server', message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="${NS.soap}">
 <soapenv:Body>
  <soapenv:Fault>
   <faultcode>soapenv:${code}</faultcode>
   <faultstring>${escapeXml(message)}</faultstring>
  </soapenv:Fault>
 </soapenv:Body>
</soapenv:Envelope>
`;
}
