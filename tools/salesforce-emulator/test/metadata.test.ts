import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { DEFAULT_METADATA_DIR } from '../index';
import { loadSchema, parseFieldMetadata } from '../metadata';
import { findField, findSObject, type FieldDef } from '../schema';
import { silentLogger } from './helpers';

const PROJECT_DIR = path.resolve(DEFAULT_METADATA_DIR, '../../..');
const LEAD_FIELDS = path.join(DEFAULT_METADATA_DIR, 'objects/Lead/fields');
const ACTIVITY_FIELDS = path.join(DEFAULT_METADATA_DIR, 'objects/Activity/fields');

function field(folder: string, name: string): FieldDef {
  const file = path.join(folder, `${name}.field-meta.xml`);
  return parseFieldMetadata(readFileSync(file, 'utf8'), file);
}

describe('infra/salesforce metadata', () => {
  it('defines the Lead fields of DESIGN §3.3 with the agreed types', () => {
    const picklist = (values: string[]): Partial<FieldDef> => ({ type: 'picklist', restricted: true, picklistValues: values });
    const expected: Record<string, Partial<FieldDef>> = {
      Handoff_Stage__c: picklist(['NURTURE', 'REVIEW', 'MQL', 'SAL', 'SQL', 'CONVERTED', 'RECYCLED', 'DISQUALIFIED']),
      Handoff_Kind__c: picklist(['HAND_RAISE', 'PQL', 'MQL']),
      Fit_Score__c: { type: 'double', precision: 5, scale: 1 },
      Intent_Score__c: { type: 'double', precision: 5, scale: 1 },
      SLA_Due_At__c: { type: 'datetime' },
      SLA_Status__c: picklist(['ON_TRACK', 'MET', 'BREACHED', 'NOT_APPLICABLE']),
      First_Touch_At__c: { type: 'datetime' },
      SLA_Breaches__c: { type: 'double', precision: 4, scale: 0 },
      Contact_Attempts__c: { type: 'double', precision: 4, scale: 0 },
      Recycle_Reason__c: picklist(['TIMING_NOT_RIGHT', 'NO_BUDGET', 'CHOSE_COMPETITOR', 'UNRESPONSIVE', 'NOT_ICP', 'NO_AUTHORITY', 'OTHER', 'SCORE_DECAYED']),
      Recycle_Notes__c: { type: 'textarea', length: 32768 },
      Handoff_Workflow_Id__c: { type: 'string', length: 255, externalId: false },
      Handoff_Sync_Error__c: { type: 'string', length: 255 },
    };
    expect(readdirSync(LEAD_FIELDS).sort()).toEqual(Object.keys(expected).map((n) => `${n}.field-meta.xml`).sort());
    for (const [name, shape] of Object.entries(expected)) {
      expect(field(LEAD_FIELDS, name)).toMatchObject({ name, custom: true, required: false, ...shape });
    }
  });

  it('defines the Task fields on Activity: the upsert key (Text 255, External ID, Unique, case-sensitive) and the close reason', () => {
    expect(readdirSync(ACTIVITY_FIELDS).sort()).toEqual(['Handoff_Close_Reason__c.field-meta.xml', 'Handoff_Event_Id__c.field-meta.xml']);
    expect(field(ACTIVITY_FIELDS, 'Handoff_Close_Reason__c')).toMatchObject({ type: 'string', length: 255, externalId: false, unique: false });
    expect(field(ACTIVITY_FIELDS, 'Handoff_Event_Id__c')).toMatchObject({ type: 'string', length: 255, externalId: true, unique: true, caseSensitive: true });
    const schema = loadSchema(DEFAULT_METADATA_DIR, silentLogger);
    const task = findSObject(schema, 'Task');
    expect(task && findField(task, 'handoff_event_id__c')?.name).toBe('Handoff_Event_Id__c');
  });

  it('grants the integration permission set edit on every custom field and nothing that does not exist', () => {
    const xml = readFileSync(path.join(DEFAULT_METADATA_DIR, 'permissionsets/Handoff_Integration.permissionset-meta.xml'), 'utf8');
    const parsed = new XMLParser({ isArray: (name) => ['fieldPermissions', 'objectPermissions', 'userPermissions'].includes(name) }).parse(xml) as {
      PermissionSet: {
        fieldPermissions: { field: string; editable: boolean; readable: boolean }[];
        objectPermissions: { object: string; allowCreate: boolean; allowEdit: boolean; allowRead: boolean; allowDelete: boolean }[];
        userPermissions: { name: string; enabled: boolean }[];
      };
    };
    const { fieldPermissions, objectPermissions, userPermissions } = parsed.PermissionSet;
    const declared = [
      ...readdirSync(LEAD_FIELDS).map((f) => `Lead.${f.replace('.field-meta.xml', '')}`),
      ...readdirSync(ACTIVITY_FIELDS).map((f) => `Task.${f.replace('.field-meta.xml', '')}`),
    ].sort();
    expect(fieldPermissions.map((p) => p.field).sort()).toEqual(declared);
    for (const permission of fieldPermissions) expect(permission).toMatchObject({ editable: true, readable: true });
    expect(objectPermissions).toEqual([expect.objectContaining({ object: 'Lead', allowCreate: true, allowEdit: true, allowRead: true, allowDelete: false })]);
    expect(userPermissions.filter((p) => p.enabled).map((p) => p.name)).toEqual(expect.arrayContaining(['ApiEnabled', 'EditTask']));
  });

  it('is an SFDX project whose package directory holds the metadata', () => {
    const project = JSON.parse(readFileSync(path.join(PROJECT_DIR, 'sfdx-project.json'), 'utf8')) as { packageDirectories: { path: string; default: boolean }[]; sourceApiVersion: string };
    expect(project.packageDirectories).toEqual([{ path: 'force-app', default: true }]);
    expect(project.sourceApiVersion).toMatch(/^\d+\.0$/);
    expect(path.join(PROJECT_DIR, 'force-app/main/default')).toBe(DEFAULT_METADATA_DIR);
  });
});

describe('metadata loading', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sf-meta-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and the problem when a field cannot be read', () => {
    expect(() => parseFieldMetadata('<CustomField><fullName>X__c</fullName><label>X</label><type>Formula</type></CustomField>', 'X.field-meta.xml')).toThrow(
      'X.field-meta.xml: field type Formula is not supported by the emulator',
    );
    expect(() => parseFieldMetadata('<CustomField><label>X</label></CustomField>', 'Y.field-meta.xml')).toThrow(/^Y\.field-meta\.xml: not a CustomField/);
  });

  it('reads checkbox, lookup and date fields, and warns about objects it does not emulate', () => {
    mkdirSync(path.join(dir, 'objects/Lead/fields'), { recursive: true });
    mkdirSync(path.join(dir, 'objects/Account/fields'), { recursive: true });
    const write = (name: string, body: string) =>
      writeFileSync(path.join(dir, `objects/Lead/fields/${name}.field-meta.xml`), `<CustomField><fullName>${name}</fullName><label>${name}</label>${body}</CustomField>`);
    write('Vip__c', '<type>Checkbox</type><defaultValue>true</defaultValue>');
    write('Partner__c', '<type>Lookup</type><referenceTo>Account</referenceTo>');
    write('Renewal__c', '<type>Date</type>');
    const warnings: object[] = [];
    const schema = loadSchema(dir, { ...silentLogger, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (o: object) => warnings.push(o) });
    const leadDef = findSObject(schema, 'Lead');
    expect(leadDef && findField(leadDef, 'Vip__c')).toMatchObject({ type: 'boolean', defaultValue: true });
    expect(leadDef && findField(leadDef, 'Partner__c')).toMatchObject({ type: 'reference', referenceTo: ['Account'] });
    expect(leadDef && findField(leadDef, 'Renewal__c')).toMatchObject({ type: 'date' });
    expect(warnings).toEqual([{ folder: 'Account' }]);
  });

  it('requires an objects folder', () => {
    expect(() => loadSchema(dir, silentLogger)).toThrow(/has no objects\/ folder/);
  });
});
