import type { FieldDef, FieldType, Schema, SObjectDef } from '../schema';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

function urls(sobject: SObjectDef, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${sobject.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function objectSummary(sobject: SObjectDef, version: string): Record<string, unknown> {
  return {
    name: sobject.name,
    label: sobject.label,
    labelPlural: sobject.labelPlural,
    keyPrefix: sobject.keyPrefix,
    custom: false,
    createable: sobject.writable,
    updateable: sobject.writable,
    deletable: sobject.writable,
    queryable: true,
    retrieveable: true,
    searchable: true,
    urls: urls(sobject, version),
  };
}

function describeField(field: FieldDef): Record<string, unknown> {
  const writable = !field.readOnly;
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    soapType: SOAP_TYPES[field.type],
    length: field.length ?? 0,
    precision: field.precision ?? 0,
    scale: field.scale ?? 0,
    digits: field.type === 'int' ? (field.precision ?? 9) : 0,
    custom: field.custom,
    nillable: !field.required && field.type !== 'boolean',
    createable: writable,
    updateable: writable && !field.createOnly,
    defaultedOnCreate: field.defaultValue !== undefined || field.readOnly === true || field.name === 'OwnerId',
    defaultValue: field.defaultValue ?? null,
    externalId: field.externalId ?? false,
    unique: field.unique ?? false,
    caseSensitive: field.caseSensitive ?? false,
    idLookup: field.type === 'id' || (field.externalId ?? false),
    filterable: true,
    sortable: field.type !== 'textarea',
    calculated: false,
    restrictedPicklist: field.restricted ?? false,
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: value === field.defaultValue,
      label: value,
      validFor: null,
      value,
    })),
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.type === 'reference' ? field.name.replace(/Id$/, '') : null,
  };
}

export function describeGlobal(schema: Schema, version: string): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: [...schema.sobjects.values()].map((s) => objectSummary(s, version)),
  };
}

export function sobjectInfo(sobject: SObjectDef, version: string): Record<string, unknown> {
  return { objectDescribe: objectSummary(sobject, version), recentItems: [] };
}

export function describeSObject(sobject: SObjectDef, version: string): Record<string, unknown> {
  return { ...objectSummary(sobject, version), fields: sobject.fields.map(describeField) };
}
