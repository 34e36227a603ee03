import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { sharedConnection, type ConnectionFactory } from './connection';
import { classifyError } from './errors';

/** Read-only SOQL for the activity poller: one page (the query carries its own LIMIT). */
export type SalesforceReader = {
  query(soql: string): Promise<Record<string, unknown>[]>;
};

export function createSalesforceReader(options: { connection: Connection | ConnectionFactory }): SalesforceReader {
  const connection = sharedConnection(options.connection, classifyError);
  return {
    async query(soql) {
      const conn = await connection();
      try {
        const result = await conn.query<Record<string, unknown>>(soql, { autoFetch: false });
        return result.records;
      } catch (err) {
        throw classifyError(err);
      }
    },
  };
}
