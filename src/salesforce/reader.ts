import type { Connection } from 'jsforce';
import type { Logger } from 'pino';
import { emulatorAuth, type SalesforceConfig } from './config';
import { createConnectionFactory, type ConnectionFactory } from './connection';
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

/** The reader for the configured org, or for the local emulator at `emulatorUrl` when no org is configured. */
export function salesforceReaderFromConfig(
  sf: SalesforceConfig,
  options: { emulatorUrl?: string; logger: Logger },
): SalesforceReader {
  const emulatorUrl = sf.auth ? undefined : options.emulatorUrl;
  const auth = sf.auth ?? (emulatorUrl ? emulatorAuth(emulatorUrl) : null);
  if (!auth) throw new Error('no Salesforce org is configured (SALESFORCE_*) and no emulator URL was given');
  return createSalesforceReader({
    connection: createConnectionFactory({
      auth,
      apiVersion: sf.apiVersion,
      instanceUrl: sf.instanceUrl ?? emulatorUrl ?? null,
      requestTimeoutMs: sf.requestTimeoutMs,
      logger: options.logger,
    }),
  });
}
