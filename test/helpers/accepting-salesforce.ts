import type { SalesforceWriter } from '../../src/salesforce/writer';
import type { SalesforceReader } from '../../src/salesforce/reader';

/** A Salesforce that takes every write: the ledger tests run the real effects activity, and Salesforce is not under test there. */
export const acceptingSalesforce: SalesforceWriter = {
  updateLead: async () => ({ syncError: null }),
  upsertTask: async () => undefined,
  closeTask: async () => undefined,
  ping: async () => undefined,
  remainingApiCalls: () => null,
  close: async () => undefined,
};

/** An org with no Tasks or Events to read (the lead workflows never poll; the activity poller is not under test). */
export const emptySalesforceReader: SalesforceReader = { query: async () => [] };
