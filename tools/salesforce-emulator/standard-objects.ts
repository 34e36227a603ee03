import type { FieldDef, FieldType } from './schema';

type Extra = Partial<Omit<FieldDef, 'name' | 'type' | 'custom'>>;

function field(name: string, type: FieldType, extra: Extra = {}): FieldDef {
  return { name, type, custom: false, label: extra.label ?? labelOf(name), ...extra };
}

function labelOf(name: string): string {
  return name
    .replace(/Id$/, ' ID')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim();
}

const text = (name: string, length: number, extra: Extra = {}) => field(name, 'string', { length, ...extra });
const readOnly = (name: string, type: FieldType, extra: Extra = {}) => field(name, type, { readOnly: true, ...extra });
const picklist = (name: string, values: string[], extra: Extra = {}) =>
  field(name, 'picklist', { length: 255, picklistValues: values, ...extra });
const reference = (name: string, referenceTo: string[], extra: Extra = {}) =>
  field(name, 'reference', { length: 18, referenceTo, ...extra });

function systemFields(): FieldDef[] {
  return [
    readOnly('Id', 'id', { length: 18, label: 'Record ID' }),
    readOnly('IsDeleted', 'boolean', { label: 'Deleted' }),
    readOnly('CreatedDate', 'datetime', { label: 'Created Date' }),
    readOnly('CreatedById', 'reference', { length: 18, referenceTo: ['User'] }),
    readOnly('LastModifiedDate', 'datetime', { label: 'Last Modified Date' }),
    readOnly('LastModifiedById', 'reference', { length: 18, referenceTo: ['User'] }),
    readOnly('SystemModstamp', 'datetime', { label: 'System Modstamp' }),
  ];
}

export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];
export const TASK_STATUSES = ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'];

export function leadFields(): FieldDef[] {
  return [
    ...systemFields(),
    readOnly('MasterRecordId', 'reference', { length: 18, referenceTo: ['Lead'] }),
    text('LastName', 80, { required: true, label: 'Last Name' }),
    text('FirstName', 40, { label: 'First Name' }),
    picklist('Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.']),
    readOnly('Name', 'string', { length: 121, label: 'Full Name' }),
    text('Title', 128),
    text('Company', 255, { required: true }),
    field('Street', 'textarea', { length: 255 }),
    text('City', 40),
    text('State', 80, { label: 'State/Province' }),
    text('PostalCode', 20, { label: 'Zip/Postal Code' }),
    text('Country', 80),
    field('Phone', 'phone', { length: 40 }),
    field('MobilePhone', 'phone', { length: 40 }),
    field('Email', 'email', { length: 80 }),
    field('Website', 'url', { length: 255 }),
    field('Description', 'textarea', { length: 32000 }),
    picklist('LeadSource', ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other']),
    picklist('Status', LEAD_STATUSES, { required: true, restricted: true, defaultValue: 'Open - Not Contacted' }),
    picklist('Industry', ['Agriculture', 'Banking', 'Consulting', 'Education', 'Finance', 'Fintech', 'Healthcare', 'Logistics', 'Manufacturing', 'Retail', 'Software', 'Technology', 'Other']),
    picklist('Rating', ['Hot', 'Warm', 'Cold']),
    field('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
    field('NumberOfEmployees', 'int', { precision: 8, scale: 0, label: 'Employees' }),
    reference('OwnerId', ['User', 'Group'], { required: true, label: 'Owner ID' }),
    readOnly('IsConverted', 'boolean', { label: 'Converted' }),
    readOnly('ConvertedDate', 'date'),
    readOnly('ConvertedAccountId', 'reference', { length: 18, referenceTo: ['Account'] }),
    readOnly('ConvertedContactId', 'reference', { length: 18, referenceTo: ['Contact'] }),
    readOnly('ConvertedOpportunityId', 'reference', { length: 18, referenceTo: ['Opportunity'] }),
    field('IsUnreadByOwner', 'boolean', { label: 'Unread By Owner' }),
    readOnly('LastActivityDate', 'date'),
    text('EmailBouncedReason', 255),
    field('EmailBouncedDate', 'datetime'),
  ];
}

export function taskFields(): FieldDef[] {
  return [
    ...systemFields(),
    reference('WhoId', ['Lead', 'Contact'], { label: 'Name ID' }),
    reference('WhatId', ['Account', 'Opportunity', 'Case', 'Campaign'], { label: 'Related To ID' }),
    field('Subject', 'combobox', { length: 255, picklistValues: ['Call', 'Send Letter', 'Send Quote', 'Other'] }),
    field('ActivityDate', 'date', { label: 'Due Date Only' }),
    picklist('Status', TASK_STATUSES, { required: true, restricted: true, defaultValue: 'Not Started' }),
    picklist('Priority', ['High', 'Normal', 'Low'], { required: true, restricted: true, defaultValue: 'Normal' }),
    readOnly('IsHighPriority', 'boolean', { label: 'High Priority' }),
    reference('OwnerId', ['User'], { required: true, label: 'Assigned To ID' }),
    field('Description', 'textarea', { length: 32000 }),
    picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
    readOnly('AccountId', 'reference', { length: 18, referenceTo: ['Account'] }),
    readOnly('IsClosed', 'boolean', { label: 'Closed' }),
    readOnly('IsArchived', 'boolean', { label: 'Archived' }),
    field('CallDurationInSeconds', 'int', { precision: 8, scale: 0, label: 'Call Duration' }),
    picklist('CallType', ['Internal', 'Inbound', 'Outbound']),
    text('CallDisposition', 255, { label: 'Call Result' }),
    text('CallObject', 255, { label: 'Call Object Identifier' }),
    field('ReminderDateTime', 'datetime', { label: 'Reminder Date/Time' }),
    field('IsReminderSet', 'boolean', { label: 'Reminder Set' }),
    picklist('TaskSubtype', ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], {
      restricted: true,
      createOnly: true,
      label: 'Task Subtype',
    }),
    readOnly('CompletedDateTime', 'datetime', { label: 'Completed Date/Time' }),
  ];
}

/** Calendar events (meetings) share the Activity custom fields with Task, like a real org. */
export function eventFields(): FieldDef[] {
  return [
    ...systemFields(),
    reference('WhoId', ['Lead', 'Contact'], { label: 'Name ID' }),
    reference('WhatId', ['Account', 'Opportunity', 'Case', 'Campaign'], { label: 'Related To ID' }),
    field('Subject', 'combobox', { length: 255, picklistValues: ['Call', 'Email', 'Meeting', 'Send Letter/Quote', 'Other'] }),
    field('StartDateTime', 'datetime', { required: true, label: 'Start Date Time' }),
    field('EndDateTime', 'datetime', { required: true, label: 'End Date Time' }),
    readOnly('ActivityDateTime', 'datetime', { label: 'Due Date Time' }),
    readOnly('DurationInMinutes', 'int', { precision: 8, scale: 0, label: 'Duration' }),
    field('IsAllDayEvent', 'boolean', { label: 'All-Day Event' }),
    text('Location', 255),
    field('Description', 'textarea', { length: 32000 }),
    picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
    picklist('EventSubtype', ['Event'], { restricted: true, createOnly: true, label: 'Event Subtype' }),
    reference('OwnerId', ['User'], { required: true, label: 'Assigned To ID' }),
  ];
}

export function userFields(): FieldDef[] {
  return [
    ...systemFields(),
    text('Username', 80, { required: true, unique: true }),
    readOnly('Name', 'string', { length: 121, label: 'Full Name' }),
    text('FirstName', 40),
    text('LastName', 80, { required: true }),
    field('Email', 'email', { length: 128 }),
    text('Alias', 8),
    field('IsActive', 'boolean', { label: 'Active', defaultValue: true }),
    text('TimeZoneSidKey', 40, { label: 'Time Zone' }),
    reference('ManagerId', ['User']),
  ];
}

export function groupFields(): FieldDef[] {
  return [
    ...systemFields(),
    text('Name', 40, { required: true }),
    text('DeveloperName', 80),
    picklist('Type', ['Queue', 'Regular', 'Role'], { restricted: true, required: true }),
    field('Email', 'email', { length: 255 }),
    reference('OwnerId', ['User']),
  ];
}

export interface StandardObject {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  writable: boolean;
  fields: () => FieldDef[];
  /** Where the SFDX source format keeps this object's custom fields (Task's live on Activity). */
  metadataFolders: string[];
}

export const STANDARD_OBJECTS: StandardObject[] = [
  { name: 'Lead', label: 'Lead', labelPlural: 'Leads', keyPrefix: '00Q', writable: true, fields: leadFields, metadataFolders: ['Lead'] },
  { name: 'Event', label: 'Event', labelPlural: 'Events', keyPrefix: '00U', writable: true, fields: eventFields, metadataFolders: ['Activity', 'Event'] },
  { name: 'Task', label: 'Task', labelPlural: 'Tasks', keyPrefix: '00T', writable: true, fields: taskFields, metadataFolders: ['Activity', 'Task'] },
  { name: 'User', label: 'User', labelPlural: 'Users', keyPrefix: '005', writable: true, fields: userFields, metadataFolders: ['User'] },
  { name: 'Group', label: 'Group', labelPlural: 'Groups', keyPrefix: '00G', writable: true, fields: groupFields, metadataFolders: ['Group'] },
];

export const INTEGRATION_USER_ID = '005000000000003AAA';
/** Seeded owners: the ids the design's default policy uses (manager, fallback queue) and a rep. */
export const SEED_IDS = {
  managerUserId: '005000000000001AAA',
  repUserId: '005000000000002AAA',
  integrationUserId: INTEGRATION_USER_ID,
  fallbackQueueId: '00G000000000001AAA',
} as const;
export const INTEGRATION_USERNAME = 'integration@handoff.emulator';

/** Seeded reference data so OwnerId values validate. */
export function seedRecords(): { sobject: string; record: Record<string, unknown> }[] {
  const user = (Id: string, FirstName: string, LastName: string, Username: string, ManagerId: string | null) => ({
    sobject: 'User',
    record: {
      Id,
      FirstName,
      LastName,
      Name: `${FirstName} ${LastName}`,
      Username,
      Email: Username,
      Alias: (FirstName.slice(0, 1) + LastName.slice(0, 4)).toLowerCase(),
      IsActive: true,
      TimeZoneSidKey: 'America/New_York',
      ManagerId,
    },
  });
  return [
    user(SEED_IDS.managerUserId, 'Morgan', 'Manager', 'manager@handoff.emulator', null),
    user(SEED_IDS.repUserId, 'Riley', 'Rep', 'rep@handoff.emulator', SEED_IDS.managerUserId),
    user(INTEGRATION_USER_ID, 'Handoff', 'Integration', INTEGRATION_USERNAME, null),
    {
      sobject: 'Group',
      record: { Id: SEED_IDS.fallbackQueueId, Name: 'Sales Fallback', DeveloperName: 'Sales_Fallback', Type: 'Queue', Email: null, OwnerId: SEED_IDS.managerUserId },
    },
  ];
}
