import { z } from 'zod';
import { checksum, isWellFormedId, keyPrefixOf } from './ids';
import type { SRecord } from './store';

/**
 * Users and queues given to the emulator with fixed ids (a team's own reps, managers and queues, e.g.
 * from the Handoff policy it is started with), beside its default seeds.
 */
const fixedId = (prefix: string, what: string) =>
  z
    .string()
    .refine(
      (id) => isWellFormedId(id) && keyPrefixOf(id) === prefix,
      `expected a 15- or 18-character ${what} id starting with ${prefix}`,
    );

const name = (max: number) => z.string().trim().min(1).max(max);

export const seedUserSchema = z
  .object({
    Id: fixedId('005', 'User'),
    FirstName: name(40).optional(),
    LastName: name(80).optional(),
    Username: name(80).optional(),
    Email: z.email().max(128).optional(),
    IsActive: z.boolean().default(true),
  })
  .strict();
export type SeedUser = z.input<typeof seedUserSchema>;

export const seedQueueSchema = z
  .object({ Id: fixedId('00G', 'Group (Queue)'), Name: name(40).optional(), DeveloperName: name(80).optional() })
  .strict();
export type SeedQueue = z.input<typeof seedQueueSchema>;

export const emulatorSeedSchema = z
  .object({ users: z.array(seedUserSchema).default([]), queues: z.array(seedQueueSchema).default([]) })
  .strict();
export type EmulatorSeed = z.input<typeof emulatorSeedSchema>;

/** The canonical 18-character form, keeping the case of the first 15 characters. */
export function canonicalId(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + checksum(id15);
}

export function seedUserRecord(input: SeedUser): SRecord {
  const user = seedUserSchema.parse(input);
  const Id = canonicalId(user.Id);
  const LastName = user.LastName ?? `User ${Id.slice(0, 15)}`;
  const Username = user.Username ?? `${Id.slice(0, 15).toLowerCase()}@handoff.emulator`;
  return {
    Id,
    FirstName: user.FirstName ?? null,
    LastName,
    Name: [user.FirstName, LastName].filter(Boolean).join(' '),
    Username,
    Email: user.Email ?? Username,
    Alias:
      LastName.replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 8)
        .toLowerCase() || 'user',
    IsActive: user.IsActive,
    TimeZoneSidKey: 'America/New_York',
    ManagerId: null,
  };
}

export function seedQueueRecord(input: SeedQueue): SRecord {
  const queue = seedQueueSchema.parse(input);
  const Id = canonicalId(queue.Id);
  const Name = queue.Name ?? `Queue ${Id.slice(0, 15)}`;
  return {
    Id,
    Name,
    DeveloperName: queue.DeveloperName ?? Name.replace(/[^A-Za-z0-9]+/g, '_'),
    Type: 'Queue',
    Email: null,
    OwnerId: null,
  };
}
