import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * One long-running workflow reads what reps did in Salesforce (Tasks and Events on Handoff leads,
 * Leads converted there) and hands it to the lead workflows. The watermarks live in its state and
 * survive continue-as-new, so a restart of anything resumes where the last handled record was.
 */
export const ACTIVITY_POLLER_WORKFLOW_ID = 'handoff-salesforce-activity-poller';

export const POLL_SOURCES = ['Task', 'Event', 'Lead'] as const;
export type PollSource = (typeof POLL_SOURCES)[number];

/** Keyset position in `ORDER BY SystemModstamp, Id`: past `at`, or at `at` and past `id`. */
export type PollCursor = { at: string; id: string | null };
export type PollCursors = Record<PollSource, PollCursor>;
export type PollPage = { next: PollCursor; read: number; sent: number; skipped: number; more: boolean };

export type ActivityPollerInput = {
  intervalMs: number;
  cursors?: Partial<PollCursors>;
  /** A first run starts this far before its start, so touches logged just before the deploy are not lost. */
  lookbackMs?: number;
};
export type ActivityPollerState = {
  intervalMs: number;
  cursors: PollCursors;
  rounds: number;
  sent: number;
  skipped: number;
  lastError: { source: PollSource; message: string; at: string } | null;
};

/** New interval (the worker's setting at its start), or stop after the current round (the off-switch). */
export const configureActivityPoller =
  wf.defineSignal<[{ intervalMs?: number; stop?: boolean }]>('configureActivityPoller');
export const activityPollerState = wf.defineQuery<ActivityPollerState>('activityPollerState');

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;
const ROUNDS_PER_RUN = 200;

const { pollSalesforceActivity } = wf.proxyActivities<Pick<Activities, 'pollSalesforceActivity'>>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  // A page that keeps failing is given up for this round (logged, cursor kept) so the other sources go on.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

export async function salesforceActivityPoller(input: ActivityPollerInput): Promise<ActivityPollerState> {
  const lookbackMs = input.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const start: PollCursor = { at: new Date(Date.now() - lookbackMs).toISOString(), id: null };
  const state: ActivityPollerState = {
    intervalMs: input.intervalMs,
    cursors: {
      Task: input.cursors?.Task ?? start,
      Event: input.cursors?.Event ?? start,
      Lead: input.cursors?.Lead ?? start,
    },
    rounds: 0,
    sent: 0,
    skipped: 0,
    lastError: null,
  };
  let stop = false;
  let woken = false;
  wf.setHandler(configureActivityPoller, (change) => {
    if (change.intervalMs !== undefined && Number.isFinite(change.intervalMs) && change.intervalMs > 0)
      state.intervalMs = change.intervalMs;
    if (change.stop) stop = true;
    woken = true;
  });
  wf.setHandler(activityPollerState, () => state);

  for (let round = 0; ; round++) {
    let more = false;
    for (const source of POLL_SOURCES) {
      try {
        const page = await pollSalesforceActivity({ source, cursor: state.cursors[source] });
        state.cursors[source] = page.next;
        state.sent += page.sent;
        state.skipped += page.skipped;
        more ||= page.more;
      } catch (err) {
        const message = err instanceof wf.ActivityFailure && err.cause ? err.cause.message : String(err);
        state.lastError = { source, message, at: new Date(Date.now()).toISOString() };
        wf.log.warn('salesforce activity poll failed; the cursor stays and the next round retries', {
          source,
          error: message,
        });
      }
    }
    state.rounds++;
    if (stop) return state;
    if (round + 1 >= ROUNDS_PER_RUN || wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      return wf.continueAsNew<typeof salesforceActivityPoller>({
        intervalMs: state.intervalMs,
        cursors: state.cursors,
        lookbackMs,
      });
    }
    if (!more) {
      woken = false;
      await wf.condition(() => woken, state.intervalMs);
      if (stop) return state;
    }
  }
}
