import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietRuntime, testDataConverter, workflowBundle } from '../helpers/temporal';

const HISTORY_DIR = path.resolve(__dirname, '../fixtures/histories');
const files = fs.existsSync(HISTORY_DIR) ? fs.readdirSync(HISTORY_DIR).filter((f) => f.endsWith('.json')).sort() : [];

describe('committed histories replay against the current workflow code', () => {
  test('there are recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  test.each(files)('%s replays without non-determinism', async (file) => {
    quietRuntime();
    const history = JSON.parse(fs.readFileSync(path.join(HISTORY_DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: testDataConverter() }, history, file.replace(/\.json$/, ''));
  });
});
