import { z } from 'zod';
import { idKey, makeId } from './ids';
import type { FieldDef, Schema, SObjectDef } from './schema';

export type SRecord = Record<string, unknown>;

interface UndoStep {
  sobject: string;
  key: string;
  live: SRecord | undefined;
  deleted: SRecord | undefined;
}

export const storeStateSchema = z.object({
  counters: z.record(z.string(), z.number().int().nonnegative()),
  records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  deleted: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
});
export type StoreState = z.infer<typeof storeStateSchema>;

/**
 * In-memory records keyed by sObject and id key, with indexes on external-id/unique fields and
 * nestable transactions (an undo journal, so a rollback costs only what the transaction touched).
 */
export class RecordStore {
  private readonly live = new Map<string, Map<string, SRecord>>();
  private readonly deleted = new Map<string, Map<string, SRecord>>();
  private readonly counters = new Map<string, number>();
  private readonly indexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  private readonly journals: UndoStep[][] = [];

  constructor(
    private readonly schema: Schema,
    private readonly onChange: () => void,
  ) {
    this.clear();
  }

  clear(): void {
    for (const sobject of this.schema.sobjects.values()) {
      this.live.set(sobject.name, new Map());
      this.deleted.set(sobject.name, new Map());
      const fields = new Map<string, Map<string, Set<string>>>();
      for (const field of sobject.fields) if (field.externalId || field.unique) fields.set(field.name, new Map());
      this.indexes.set(sobject.name, fields);
    }
    this.counters.clear();
    this.onChange();
  }

  get(sobject: SObjectDef, key: string): SRecord | undefined {
    return this.table(this.live, sobject.name).get(key);
  }

  getDeleted(sobject: SObjectDef, key: string): SRecord | undefined {
    return this.table(this.deleted, sobject.name).get(key);
  }

  list(sobject: SObjectDef): SRecord[] {
    return [...this.table(this.live, sobject.name).values()];
  }

  listDeleted(sobject: SObjectDef): SRecord[] {
    return [...this.table(this.deleted, sobject.name).values()];
  }

  count(sobject: SObjectDef): number {
    return this.table(this.live, sobject.name).size;
  }

  /** Live records whose indexed `field` equals `value` (case-insensitively unless the field is case-sensitive). */
  findByIndexedField(sobject: SObjectDef, field: FieldDef, value: string): SRecord[] {
    const index = this.indexes.get(sobject.name)?.get(field.name);
    if (!index) throw new Error(`${sobject.name}.${field.name} is not indexed`);
    const keys = index.get(normalise(field, value)) ?? new Set<string>();
    const table = this.table(this.live, sobject.name);
    return [...keys].map((key) => table.get(key)).filter((record): record is SRecord => record !== undefined);
  }

  /** The next generated id of the type, skipping ids taken by records seeded with fixed ids. */
  nextId(sobject: SObjectDef): string {
    for (;;) {
      const next = (this.counters.get(sobject.keyPrefix) ?? 0) + 1;
      this.counters.set(sobject.keyPrefix, next);
      const id = makeId(sobject.keyPrefix, next);
      const key = idKey(id) ?? id;
      if (!this.get(sobject, key) && !this.getDeleted(sobject, key)) return id;
    }
  }

  put(sobject: SObjectDef, record: SRecord): void {
    const key = recordKey(record);
    this.journal(sobject, key);
    this.setLive(sobject, key, record);
    this.onChange();
  }

  remove(sobject: SObjectDef, key: string, deletedRecord: SRecord): void {
    this.journal(sobject, key);
    this.setLive(sobject, key, undefined);
    this.table(this.deleted, sobject.name).set(key, deletedRecord);
    this.onChange();
  }

  /** Runs `fn`; keeps its writes when it returns `commit: true`, undoes them otherwise. Nestable. */
  transaction<T>(fn: () => { result: T; commit: boolean }): T {
    this.journals.push([]);
    let committed = false;
    try {
      const outcome = fn();
      committed = outcome.commit;
      return outcome.result;
    } finally {
      const steps = this.journals.pop() ?? [];
      if (committed) this.journals.at(-1)?.push(...steps);
      else this.undo(steps);
    }
  }

  toState(): StoreState {
    const dump = (tables: Map<string, Map<string, SRecord>>) =>
      Object.fromEntries([...tables].map(([name, table]) => [name, [...table.values()]]));
    return { counters: Object.fromEntries(this.counters), records: dump(this.live), deleted: dump(this.deleted) };
  }

  loadState(state: StoreState): void {
    this.clear();
    for (const [prefix, value] of Object.entries(state.counters)) this.counters.set(prefix, value);
    for (const sobject of this.schema.sobjects.values()) {
      for (const record of state.records[sobject.name] ?? []) this.setLive(sobject, recordKey(record), record);
      const deleted = this.table(this.deleted, sobject.name);
      for (const record of state.deleted[sobject.name] ?? []) deleted.set(recordKey(record), record);
    }
  }

  private journal(sobject: SObjectDef, key: string): void {
    this.journals.at(-1)?.push({
      sobject: sobject.name,
      key,
      live: this.table(this.live, sobject.name).get(key),
      deleted: this.table(this.deleted, sobject.name).get(key),
    });
  }

  private undo(steps: UndoStep[]): void {
    for (const step of steps.reverse()) {
      const sobject = this.schema.sobjects.get(step.sobject.toLowerCase());
      if (!sobject) continue;
      this.setLive(sobject, step.key, step.live);
      const deleted = this.table(this.deleted, sobject.name);
      if (step.deleted) deleted.set(step.key, step.deleted);
      else deleted.delete(step.key);
    }
    if (steps.length > 0) this.onChange();
  }

  private setLive(sobject: SObjectDef, key: string, record: SRecord | undefined): void {
    const table = this.table(this.live, sobject.name);
    const indexes = this.indexes.get(sobject.name) ?? new Map<string, Map<string, Set<string>>>();
    const previous = table.get(key);
    for (const [fieldName, index] of indexes) {
      const field = sobject.byName.get(fieldName.toLowerCase());
      if (!field) continue;
      const before = previous?.[fieldName];
      if (typeof before === 'string') index.get(normalise(field, before))?.delete(key);
      const after = record?.[fieldName];
      if (typeof after === 'string') {
        const normalised = normalise(field, after);
        const keys = index.get(normalised) ?? new Set<string>();
        keys.add(key);
        index.set(normalised, keys);
      }
    }
    if (record) table.set(key, record);
    else table.delete(key);
  }

  private table(tables: Map<string, Map<string, SRecord>>, name: string): Map<string, SRecord> {
    const table = tables.get(name);
    if (!table) throw new Error(`no table for ${name}`);
    return table;
  }
}

function normalise(field: FieldDef, value: string): string {
  return field.caseSensitive ? value : value.toLowerCase();
}

function recordKey(record: SRecord): string {
  const key = typeof record.Id === 'string' ? idKey(record.Id) : null;
  if (!key) throw new Error(`record without a valid Id: ${JSON.stringify(record).slice(0, 200)}`);
  return key;
}
