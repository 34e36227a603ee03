import { toId18 } from '../domain/salesforce-id';
import type { OwnerDirectory } from '../salesforce/directory';
import { ownerProblem } from '../salesforce/directory';
import type { OwnerExpectation } from '../salesforce/policy-owners';
import type { Issue } from './errors';

/** Who a request names, and what each must be in the org: the acting rep or RevOps user, and a new owner. */
const ACTOR_FIELDS: Record<'repId' | 'actorId' | 'ownerId', OwnerExpectation> = {
  repId: 'user',
  actorId: 'user',
  ownerId: 'userOrQueue',
};

export type ActorDirectory = Pick<OwnerDirectory, 'resolve'>;

/**
 * Checks `repId`, `actorId` and `ownerId` (where the body has them) against the org's Users and Queues,
 * and answers the body with each accepted id in its 18-character form, or every refused one as an issue.
 */
export async function checkActors<T extends object>(
  body: T,
  directory: ActorDirectory,
): Promise<{ body: T; issues: Issue[] }> {
  const issues: Issue[] = [];
  const checked = { ...body } as Record<string, unknown>;
  for (const [field, expects] of Object.entries(ACTOR_FIELDS)) {
    const value = checked[field];
    if (typeof value !== 'string') continue;
    const problem = ownerProblem(value, expects, await directory.resolve(value));
    if (problem === null) checked[field] = toId18(value);
    else
      issues.push({
        in: 'body',
        path: [field],
        code: 'unknown_actor',
        message: `${field} must name ${describe(expects)} of the org: ${problem}`,
      });
  }
  return { body: checked as T, issues };
}

function describe(expects: OwnerExpectation): string {
  return expects === 'user' ? 'an active User' : expects === 'queue' ? 'a Queue' : 'an active User or a Queue';
}
