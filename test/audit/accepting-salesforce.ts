import type { SalesforceWriter } from '../../src/salesforce/writer';

/** A Salesforce that takes every write: the ledger tests run the real effects activity, and Salesforce is not under test there. */
export const acceptingSalesforce: SalesforceWriter = {
  updateLead: async () => ({ syncError: null }),
  upsertTask: async () => undefined,
  closeTask: async () => undefined,
  ping: async () => undefined,
  remainingApiCalls: () => null,
  close: async () => undefined,
};
