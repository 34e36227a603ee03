import type { EmulatorSeed } from '../../tools/salesforce-emulator';
import type { Policy } from '../domain/policy';
import { KEY_PREFIX, keyPrefixOf, toId18 } from '../domain/salesforce-id';

/** What an id in the policy must name: an active User, a Queue, or either. */
export type OwnerExpectation = 'user' | 'queue' | 'userOrQueue';

export type PolicyOwnerRef = { path: string; id: string; expects: OwnerExpectation };

/**
 * The policy's fields that name Salesforce people and queues, by the name of the key: `…managerId`,
 * `…UserId` / `…userId` and `…repId` name an active User; `…queueId` a Queue; `…ownerId` an active User
 * or a Queue. A key ending in `Ids` holding a list names one of each. So a field the schema gains later
 * (e.g. a queue's task recipient) is checked as soon as it follows the naming.
 */
function expectationOf(key: string): OwnerExpectation | null {
  const singular = key.endsWith('Ids') ? key.slice(0, -1) : key;
  if (/(?:manager|user|rep)Id$/i.test(singular)) return 'user';
  if (/queueId$/i.test(singular)) return 'queue';
  if (/ownerId$/i.test(singular)) return 'userOrQueue';
  return null;
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Every owner, manager and queue id the policy names, with where it appears (`teams[0].fallbackOwnerId`). */
export function policyOwnerRefs(policy: Policy): PolicyOwnerRef[] {
  const refs: PolicyOwnerRef[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, pathOf(path, i)));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const expects = expectationOf(key);
        const here = pathOf(path, key);
        if (expects && typeof child === 'string') refs.push({ path: here, id: child, expects });
        else if (expects && Array.isArray(child)) {
          child.forEach((id, i) => {
            if (typeof id === 'string') refs.push({ path: pathOf(here, i), id, expects });
          });
        } else walk(child, here);
      }
    }
  };
  walk(policy, '');
  return refs;
}

/**
 * The users and queues the emulator must know so that a policy naming a team's own people works in the
 * embedded default: every well-formed User (005) and Queue (00G) id the policy names, active.
 */
export function emulatorSeedFromPolicy(policy: Policy): Required<Pick<EmulatorSeed, 'users' | 'queues'>> {
  const users = new Map<string, { Id: string; LastName: string }>();
  const queues = new Map<string, { Id: string; Name: string }>();
  for (const ref of policyOwnerRefs(policy)) {
    const id = toId18(ref.id);
    if (id === null) continue;
    const label = ref.path.slice(0, 80);
    if (keyPrefixOf(id) === KEY_PREFIX.user && !users.has(id)) users.set(id, { Id: id, LastName: label });
    if (keyPrefixOf(id) === KEY_PREFIX.group && !queues.has(id)) queues.set(id, { Id: id, Name: label.slice(0, 40) });
  }
  return { users: [...users.values()], queues: [...queues.values()] };
}
