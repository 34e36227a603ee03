import { breachCadence, cadenceDue, exhaustCadence, unresponsiveAt } from './cadence';
import { decayDue, reevaluateIntent } from './decay';
import { breach, firstTouchDue, reminderDue, sendReminder } from './first-touch';
import type { Policy } from './policy';
import { reviewDue, reviewOverdue } from './review';
import { flagStale, staleDue } from './stale';
import type { LeadState } from './state';
import type { StepContext } from './step-context';

/**
 * Every clock of the agreement in one table: when it is due for a lead (null: not running), and
 * what happens when it fires. The workflow sleeps until the earliest `dueAt`; a tick fires, in
 * this order, every deadline that is due. Each `fire` moves its own deadline on (or stops it).
 */
export type Deadline = {
  name: string;
  dueAt: (s: LeadState, policy: Policy) => number | null;
  fire: (ctx: StepContext) => void;
};

export const DEADLINES: readonly Deadline[] = [
  { name: 'sla reminder', dueAt: reminderDue, fire: sendReminder },
  { name: 'first touch due', dueAt: (s) => firstTouchDue(s), fire: breach },
  { name: 'cadence window', dueAt: cadenceDue, fire: breachCadence },
  { name: 'no reply after the cadence', dueAt: unresponsiveAt, fire: exhaustCadence },
  { name: 'time in stage', dueAt: staleDue, fire: flagStale },
  { name: 'review due', dueAt: (s) => reviewDue(s), fire: reviewOverdue },
  { name: 'intent decay', dueAt: decayDue, fire: reevaluateIntent },
];

/** The earliest instant at which time alone changes the lead, or null when no clock runs. */
export function nextDeadline(s: LeadState, policy: Policy): number | null {
  let next: number | null = null;
  for (const d of DEADLINES) {
    const at = d.dueAt(s, policy);
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}

const MAX_FIRES_PER_TICK = 100;

/** Time passes: fire every deadline that is due, in the table's order, until none is. */
export function tick(ctx: StepContext): void {
  for (let fired = 0; fired < MAX_FIRES_PER_TICK; fired++) {
    const due = DEADLINES.find((d) => {
      const at = d.dueAt(ctx.s, ctx.policy);
      return at !== null && at <= ctx.now;
    });
    if (!due) return;
    due.fire(ctx);
  }
  throw new Error(`deadlines of lead ${ctx.s.leadId} kept firing at ${ctx.nowIso}: a deadline does not move on`);
}
