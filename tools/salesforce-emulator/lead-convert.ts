import type { DmlContext } from './dml';
import { checksum, idKey, keyPrefixOf } from './ids';
import { findSObject } from './schema';
import { LEAD_STATUSES } from './standard-objects';
import { formatDateTime } from './values';

/** Lead statuses whose LeadStatus.IsConverted is true in the emulated org (a standard org has this one). */
export const CONVERTED_STATUSES = [LEAD_STATUSES[2]!];

/** One `LeadConvert` of the SOAP `convertLead()` call, as far as the emulator honours it. */
export interface LeadConvertRequest {
  leadId: string;
  convertedStatus: string | null;
  doNotCreateOpportunity: boolean;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
}

export type LeadConvertResult =
  | { success: true; leadId: string; accountId: string; contactId: string; opportunityId: string | null }
  | { success: false; leadId: string | null; statusCode: string; message: string };

/**
 * Converts a Lead like Salesforce does as far as Handoff can see it: the Lead becomes read-only
 * state `IsConverted`, `ConvertedDate`, `Converted{Account,Contact,Opportunity}Id`, its Status the
 * converted status, stamped by the converting user. Account, Contact and Opportunity are not emulated
 * objects: their ids are minted from the Lead's (one conversion per Lead), or taken from the request.
 */
export function convertLead(ctx: DmlContext, request: LeadConvertRequest): LeadConvertResult {
  const fail = (statusCode: string, message: string): LeadConvertResult => ({
    success: false,
    leadId: request.leadId || null,
    statusCode,
    message,
  });
  const leads = findSObject(ctx.schema, 'Lead');
  const key = idKey(request.leadId);
  if (!leads || !key || keyPrefixOf(request.leadId) !== leads.keyPrefix)
    return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  const lead = ctx.store.get(leads, key);
  if (!lead) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  if (lead.IsConverted === true) return fail('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
  if (!request.convertedStatus || !CONVERTED_STATUSES.includes(request.convertedStatus)) {
    return fail(
      'INVALID_STATUS',
      `invalid convertedStatus: ${request.convertedStatus ?? ''} (converted statuses: ${CONVERTED_STATUSES.join(', ')})`,
    );
  }
  const given = (id: string | null, prefix: string, what: string): string | null | Error => {
    if (id === null || id === '') return null;
    return idKey(id) && keyPrefixOf(id) === prefix ? id : new Error(`${what}: id value of incorrect type: ${id}`);
  };
  const accountId = given(request.accountId, '001', 'accountId');
  const contactId = given(request.contactId, '003', 'contactId');
  const opportunityId = given(request.opportunityId, '006', 'opportunityId');
  for (const id of [accountId, contactId, opportunityId])
    if (id instanceof Error) return fail('MALFORMED_ID', id.message);
  if (request.doNotCreateOpportunity && opportunityId)
    return fail('FIELD_INTEGRITY_EXCEPTION', 'opportunityId cannot be set with doNotCreateOpportunity');
  const leadId = String(lead.Id);
  const minted = (prefix: string) => {
    const id15 = prefix + leadId.slice(3, 15);
    return id15 + checksum(id15);
  };
  const now = Date.now();
  const stamp = formatDateTime(now);
  const converted = {
    ConvertedAccountId: (accountId as string | null) ?? minted('001'),
    ConvertedContactId: (contactId as string | null) ?? minted('003'),
    ConvertedOpportunityId: request.doNotCreateOpportunity ? null : ((opportunityId as string | null) ?? minted('006')),
  };
  ctx.store.put(leads, {
    ...lead,
    ...converted,
    IsConverted: true,
    ConvertedDate: stamp.slice(0, 10),
    Status: request.convertedStatus,
    LastModifiedDate: stamp,
    LastModifiedById: ctx.userId,
    SystemModstamp: stamp,
  });
  return {
    success: true,
    leadId,
    accountId: converted.ConvertedAccountId,
    contactId: converted.ConvertedContactId,
    opportunityId: converted.ConvertedOpportunityId,
  };
}
