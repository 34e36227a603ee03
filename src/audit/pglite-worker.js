// @ts-check
'use strict';
// The embedded ledger's PGlite, in a worker thread: a report query runs in WASM for a while, and
// off the main thread it does not stall the worker's or the API's event loop. (Plain JS so the
// thread starts without a TypeScript loader; sql.ts holds the typed side.)
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');

if (!parentPort) throw new Error('pglite-worker.js runs as a worker thread');
const port = parentPort;

/** @type {Promise<import('@electric-sql/pglite').PGlite>} */
const opening = PGlite.create(workerData.dir);
opening.catch(() => undefined); // reported on the first request

port.on('message', async (/** @type {{ id: number, op: 'query' | 'exec' | 'close', text?: string, params?: unknown[] }} */ msg) => {
  try {
    const db = await opening;
    let result = null;
    if (msg.op === 'query') {
      const r = await db.query(msg.text ?? '', msg.params);
      result = { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    } else if (msg.op === 'exec') {
      await db.exec(msg.text ?? '');
    } else {
      await db.close();
    }
    port.postMessage({ id: msg.id, result });
  } catch (err) {
    const e = /** @type {{ message?: string, code?: string }} */ (err);
    port.postMessage({ id: msg.id, error: { message: String(e?.message ?? err), code: e?.code } });
  }
});
