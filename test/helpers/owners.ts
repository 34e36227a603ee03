import type { Policy } from '../../src/domain/policy';
import { testPolicy } from './policy';

/**
 * A team's own people, as an org gives them out: ids with lower-case letters, the policy writing some in
 * their 15-character form and some in the 18-character one.
 */
export const ORG = {
  naManager: '0058c00000AbCdE',
  naManager18: '0058c00000AbCdEAAV',
  naQueue: '00G8c00000Q1q2QEAR',
  naQueue15: '00G8c00000Q1q2Q',
  emeaManager: '0058c00000MgR01',
  emeaManager18: '0058c00000MgR01AAF',
  rep: '0058c00000QrStUAAV',
  rep15: '0058c00000QrStU',
} as const;

/** Two 24/7 teams: NA falls back to its queue, EMEA to a rep. */
export function ownTeamPolicy(): Policy {
  return testPolicy({
    teams: [
      { id: 'na', calendar: 'always', fallbackOwnerId: ORG.naQueue15, managerId: ORG.naManager },
      { id: 'emea', calendar: 'always', fallbackOwnerId: ORG.rep, managerId: ORG.emeaManager18 },
    ],
  });
}
