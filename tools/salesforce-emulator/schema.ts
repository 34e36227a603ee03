export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'combobox'
  | 'boolean'
  | 'double'
  | 'int'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'reference';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  custom: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  restricted?: boolean;
  /** Required on save (REQUIRED_FIELD_MISSING when absent after defaults are applied). */
  required?: boolean;
  /** Set by the server; writes get INVALID_FIELD_FOR_INSERT_UPDATE. */
  readOnly?: boolean;
  /** Writable on create only (e.g. Task.TaskSubtype). */
  createOnly?: boolean;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  referenceTo?: string[];
  defaultValue?: string | boolean | number;
}

export interface SObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  /** False for read-only reference data: DML gets INSUFFICIENT_ACCESS_OR_READONLY. */
  writable: boolean;
  fields: FieldDef[];
  byName: Map<string, FieldDef>;
}

export interface Schema {
  sobjects: Map<string, SObjectDef>;
  byKeyPrefix: Map<string, SObjectDef>;
}

/** Key prefixes of objects that are not emulated but can appear in reference fields. */
export const FOREIGN_KEY_PREFIXES: Record<string, string> = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Case: '500',
  Campaign: '701',
};

export function findSObject(schema: Schema, name: string): SObjectDef | undefined {
  return schema.sobjects.get(name.toLowerCase());
}

export function findField(sobject: SObjectDef, name: string): FieldDef | undefined {
  return sobject.byName.get(name.toLowerCase());
}

export function buildSObject(
  base: Omit<SObjectDef, 'byName' | 'fields'>,
  fields: FieldDef[],
): SObjectDef {
  const byName = new Map<string, FieldDef>();
  for (const field of fields) byName.set(field.name.toLowerCase(), field);
  return { ...base, fields: [...byName.values()], byName };
}

export function buildSchema(sobjects: SObjectDef[]): Schema {
  const schema: Schema = { sobjects: new Map(), byKeyPrefix: new Map() };
  for (const sobject of sobjects) {
    schema.sobjects.set(sobject.name.toLowerCase(), sobject);
    schema.byKeyPrefix.set(sobject.keyPrefix.toUpperCase(), sobject);
  }
  return schema;
}

const TEXT_TYPES: ReadonlySet<FieldType> = new Set([
  'id',
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'combobox',
  'reference',
]);
const NUMBER_TYPES: ReadonlySet<FieldType> = new Set(['double', 'int', 'currency']);

export function isTextType(type: FieldType): boolean {
  return TEXT_TYPES.has(type);
}

export function isNumberType(type: FieldType): boolean {
  return NUMBER_TYPES.has(type);
}

export function isIdType(type: FieldType): boolean {
  return type === 'id' || type === 'reference';
}
