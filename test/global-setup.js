// `npm test` runs the Postgres suites (the ledger on a real server, the crash drill) on the machine's
// own PostgreSQL when TEST_DATABASE_URL is not set and one answers at the default address, as CI
// sets it; otherwise it says which suites it skips, so a green run does not hide them.
const { Client } = require('pg');

const LOCAL = 'postgres://postgres@127.0.0.1:5432/test';

module.exports = async function globalSetup() {
  if (process.env.TEST_DATABASE_URL) return;
  const client = new Client({ connectionString: LOCAL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    process.env.TEST_DATABASE_URL = LOCAL;
    process.stderr.write(`\n[test] TEST_DATABASE_URL not set: using the PostgreSQL at ${LOCAL}\n`);
  } catch (err) {
    process.stderr.write(
      `\n[test] no PostgreSQL at ${LOCAL} (${err.message}) and TEST_DATABASE_URL not set: ` +
        'the ledger-on-Postgres suites and the crash drill are skipped\n',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
};
