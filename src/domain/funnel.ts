import type { EventOf } from './inputs';
import type { StepContext } from './step-context';
import { enterStage } from './transitions';

/** The sales stages after acceptance: SQL with BANT captured, then CONVERTED with its opportunity. */

export function qualify(ctx: StepContext, e: EventOf<'qualify'>, at: number): void {
  ctx.s.bant = e.bant;
  enterStage(ctx, 'SQL', at);
  ctx.audit('SQL_QUALIFIED', e.repId, { bant: e.bant });
}

export function convert(ctx: StepContext, e: EventOf<'convert'>): void {
  const from = ctx.s.stage;
  ctx.s.opportunityId = e.opportunityId;
  enterStage(ctx, 'CONVERTED');
  ctx.audit('CONVERTED', e.repId, {
    opportunityId: e.opportunityId,
    from,
    ...(e.inSalesforce ? { in: 'salesforce' } : {}),
  });
  ctx.closeTasks(`converted to opportunity ${e.opportunityId}`);
}
