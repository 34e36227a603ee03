import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import type { ConnectionFactory } from './connection';
import { classifyError } from './errors';

/** Read-only SOQL for the activity poller: one page (the query carries its own LIMIT). */
export type SalesforceReader = {
  query(soql: string): Promise<Record<string, unknown>[]>;
};

export function createSalesforceReader(options: { connection: Connection | ConnectionFactory }): SalesforceReader {
  let connecting: Promise<Connection> | null = null;
  const connection = (): Promise<Connection> => {
    const source = options.connection;
    if (typeof source !== 'function') return Promise.resolve(source);
    connecting ??= source().catch((err: unknown) => {
      connecting = null;
      throw classifyError(err);
    });
    return connecting;
  };
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
