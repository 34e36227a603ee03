import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LEAD_FIELD_MAP, notificationToTrigger } from '../../src/api/outbound-message';
import { triggerSchema } from '../../src/domain/inputs';
import { channelSchema, outcomeSchema, REJECT_REASONS } from '../../src/domain/model';
import { parsePolicy } from '../../src/domain/policy-text';
import { toId18 } from '../../src/domain/salesforce-id';
import { catalogue, choiceValues, referenceProblems } from './checks';
import { list, readProject, SOURCE_ROOT, withEdit, type Project, type Xml } from './metadata';

const project = readProject();
const cat = catalogue(project);
const flow = (name: string): Xml => cat.get('Flow', name)!.body;
const file = (relative: string) => `${SOURCE_ROOT}/${relative}`;

const REP_FLOWS = [
  { flow: 'Handoff_Accept_Lead', action: 'Lead.Handoff_Accept', operation: 'acceptLead', body: 'AcceptBody' },
  { flow: 'Handoff_Reject_Lead', action: 'Lead.Handoff_Reject', operation: 'rejectLead', body: 'RejectBody' },
  {
    flow: 'Handoff_Log_Touch',
    action: 'Lead.Handoff_Log_Touch',
    operation: 'contactAttemptsLead',
    body: 'ContactAttemptBody',
  },
] as const;

test('every field, picklist value, object, flow, action, type and permission the metadata references exists', () => {
  expect(referenceProblems(project)).toEqual([]);
});

test('the Reject flow offers exactly the policy reject reasons, and they are Recycle_Reason__c values', () => {
  expect(choiceValues(flow('Handoff_Reject_Lead'), 'Reason')).toEqual([...REJECT_REASONS]);
  expect(cat.picklist('Lead', 'Recycle_Reason__c')).toEqual(expect.arrayContaining([...REJECT_REASONS]));
});

test('the Reject flow requires notes for the reasons the default policy requires them for', () => {
  const policy = parsePolicy(readFileSync(path.resolve(__dirname, '../../policy/default.yaml'), 'utf8'));
  const formula = list(flow('Handoff_Reject_Lead').formulas).find((f) => f.name === 'NotesRequiredButBlank');
  const [, reasons] = /CONTAINS\("([^"]*)", ";" & \{!Reason\} & ";"\)/.exec(String(formula?.expression)) ?? [];
  expect(reasons?.split(';').filter(Boolean)).toEqual(
    policy.recycle.notesRequiredFor.filter((r) => (REJECT_REASONS as readonly string[]).includes(r)),
  );
  const check = list(flow('Handoff_Reject_Lead').decisions).find((d) => d.name === 'Check_Notes');
  expect(check?.rules[0].conditions[0].leftValueReference).toBe('NotesRequiredButBlank');
  expect(check?.rules[0].connector.targetReference).toBe('Flag_Missing_Notes');
});

test('the Log touch flow offers exactly the domain channels and outcomes', () => {
  expect(choiceValues(flow('Handoff_Log_Touch'), 'Channel')).toEqual(channelSchema.options);
  expect(choiceValues(flow('Handoff_Log_Touch'), 'Outcome_Value')).toEqual(outcomeSchema.options);
});

test.each(REP_FLOWS)(
  '$action runs $flow, which calls $operation for the record as the current user and shows a 409 message',
  (rep) => {
    const quickAction = cat.get('QuickAction', rep.action)!;
    expect(quickAction.body).toMatchObject({ type: 'Flow', flowDefinition: rep.flow });
    const body = flow(rep.flow);
    const call = list(body.actionCalls)[0]!;
    expect(call).toMatchObject({
      actionName: `Handoff.${rep.operation}`,
      actionType: 'externalService',
      faultConnector: { targetReference: 'Failed_Screen' },
    });
    expect(list(call.inputParameters).map((p) => [p.name, p.value.elementReference])).toEqual([
      ['leadId', 'recordId'],
      ['body', rep.body],
    ]);
    const items = list(body.assignments).flatMap((a) => list(a.assignmentItems));
    expect(items).toContainEqual({
      assignToReference: `${rep.body}.repId`,
      operator: 'Assign',
      value: { elementReference: '$User.Id' },
    });

    // 409 → ErrorConflict → its message → the screen the rep sees.
    expect(list(call.outputParameters)).toContainEqual({ assignToReference: 'ErrorConflict', name: '409' });
    const outcome = list(body.decisions).find((d) => d.name === call.connector.targetReference)!;
    const conflict = list(outcome.rules).find(
      (r) =>
        r.conditions[0].leftValueReference === 'ResponseCode' && r.conditions[0].rightValue.numberValue === '409.0',
    )!;
    const assignment = list(body.assignments).find((a) => a.name === conflict.connector.targetReference)!;
    expect(assignment.assignmentItems).toEqual([
      { assignToReference: 'Message', operator: 'Assign', value: { elementReference: 'ErrorConflict.error.message' } },
    ]);
    const screen = list(body.screens).find((s) => s.name === assignment.connector.targetReference)!;
    expect(list(screen.fields).map((f) => f.fieldText)).toEqual([expect.stringContaining('{!Message}')]);
  },
);

test('the rep permission set grants the Named Credential principal and the three flows; the integration user holds the loop guard', () => {
  const rep = cat.get('PermissionSet', 'Handoff_Sales_Rep')!.body;
  expect(list(rep.externalCredentialPrincipalAccesses)).toEqual([
    { enabled: 'true', externalCredentialPrincipal: 'Handoff-SalesKey' },
  ]);
  expect(
    list(rep.flowAccesses)
      .map((f) => f.flowName)
      .sort(),
  ).toEqual(REP_FLOWS.map((r) => r.flow).sort());
  expect(list(rep.fieldPermissions).every((p) => p.editable === 'false' && p.readable === 'true')).toBe(true);
  const integration = cat.get('PermissionSet', 'Handoff_Integration')!.body;
  expect(list(integration.customPermissions)).toEqual([{ enabled: 'true', name: 'Handoff_Integration_User' }]);
  expect(String(flow('Handoff_Send_Qualification').start.filterFormula)).toContain(
    'NOT({!$Permission.Handoff_Integration_User})',
  );
});

test('the qualification Outbound Message sends every field Handoff reads, and they make a valid trigger', () => {
  const sender = flow('Handoff_Send_Qualification');
  expect(sender.start).toMatchObject({
    object: 'Lead',
    triggerType: 'RecordAfterSave',
    recordTriggerType: 'CreateAndUpdate',
  });
  expect(list(sender.actionCalls)).toEqual([
    expect.objectContaining({ actionType: 'outboundMessage', actionName: 'Lead.Handoff_Qualification' }),
  ]);

  const message = list(cat.get('Workflow', 'Lead')!.body.outboundMessages)[0]!;
  const fields = list<string>(message.fields);
  const read = [
    DEFAULT_LEAD_FIELD_MAP.leadId,
    DEFAULT_LEAD_FIELD_MAP.ownerId,
    DEFAULT_LEAD_FIELD_MAP.fitScore,
    DEFAULT_LEAD_FIELD_MAP.intentScore,
    DEFAULT_LEAD_FIELD_MAP.kind,
    DEFAULT_LEAD_FIELD_MAP.occurredAt,
  ];
  expect([...fields].sort()).toEqual([...read].sort());

  const url = new URL(String(message.endpointUrl));
  expect(url.protocol).toBe('https:');
  expect(url.pathname).toBe('/v1/salesforce/outbound-messages');
  expect(url.searchParams.has('key')).toBe(true);

  // What Salesforce would send for these fields (15-character ids, as a real org may): a trigger the API accepts.
  const values: Record<string, string> = {
    Id: '00Q5g00000AbCdE',
    OwnerId: '0055g00000XyZaB',
    Fit_Score__c: '72.5',
    Intent_Score__c: '55.0',
    Handoff_Kind__c: 'HAND_RAISE',
    LastModifiedDate: '2026-11-02T10:00:00.000Z',
  };
  const trigger = notificationToTrigger(
    { id: '04l5g00000AAAAAAAA', sObjectType: 'Lead', fields: Object.fromEntries(fields.map((f) => [f, values[f]!])) },
    DEFAULT_LEAD_FIELD_MAP,
    '2026-11-02T10:00:01.000Z',
  );
  expect(triggerSchema.parse(trigger)).toEqual({
    leadId: '00Q5g00000AbCdEEAV',
    eventId: '04l5g00000AAAAAAAA',
    occurredAt: '2026-11-02T10:00:00.000Z',
    ownerId: '0055g00000XyZaBAAV',
    fitScore: 72.5,
    intentScore: 55,
    kind: 'HAND_RAISE',
  });
  expect(toId18(trigger.leadId as string)).toHaveLength(18);
});

describe('a broken copy is caught', () => {
  const cases: [string, string, (t: string) => string, RegExp][] = [
    [
      'a flow reads a field that does not exist',
      'flows/Handoff_Send_Qualification.flow-meta.xml',
      (t) => t.replace('ISCHANGED({!$Record.Intent_Score__c})', 'ISCHANGED({!$Record.Intent__c})'),
      /\$Record\.Intent__c: unknown field Lead\.Intent__c/,
    ],
    [
      'a flow reads an unlisted standard field',
      'flows/Handoff_Send_Qualification.flow-meta.xml',
      (t) => t.replace('NOT({!$Record.IsConverted})', 'NOT({!$Record.IsDeleted})'),
      /unknown field Lead\.IsDeleted/,
    ],
    [
      'a quick action runs a missing flow',
      'quickActions/Lead.Handoff_Accept.quickAction-meta.xml',
      (t) => t.replace('<flowDefinition>Handoff_Accept_Lead', '<flowDefinition>Handoff_Accept'),
      /unknown flow Handoff_Accept$/,
    ],
    [
      'a permission set grants a missing field',
      'permissionsets/Handoff_Sales_Rep.permissionset-meta.xml',
      (t) => t.replace('Lead.SLA_Due_At__c', 'Lead.SLA_Due__c'),
      /unknown field Lead\.SLA_Due__c/,
    ],
    [
      'a permission set grants a missing principal',
      'permissionsets/Handoff_Sales_Rep.permissionset-meta.xml',
      (t) => t.replace('Handoff-SalesKey', 'Handoff-CrmKey'),
      /unknown External Credential principal Handoff-CrmKey/,
    ],
    [
      'a permission set grants a missing flow',
      'permissionsets/Handoff_Sales_Rep.permissionset-meta.xml',
      (t) => t.replace('<flowName>Handoff_Log_Touch', '<flowName>Handoff_Log_Touches'),
      /unknown flow Handoff_Log_Touches/,
    ],
    [
      'a flow calls an operation the External Service lacks',
      'flows/Handoff_Accept_Lead.flow-meta.xml',
      (t) => t.replace('Handoff.acceptLead', 'Handoff.acceptLeads'),
      /has no operation acceptLeads/,
    ],
    [
      'a flow sends a body property the schema lacks',
      'flows/Handoff_Reject_Lead.flow-meta.xml',
      (t) => t.replace('RejectBody.reason<', 'RejectBody.reasonCode<'),
      /reasonCode is not a property of ExternalService__Handoff_RejectRequest/,
    ],
    [
      'a flow sends the wrong body type',
      'flows/Handoff_Log_Touch.flow-meta.xml',
      (t) => t.replace('ExternalService__Handoff_ContactAttemptRequest', 'ExternalService__Handoff_AcceptRequest'),
      /body must be a variable of type ExternalService__Handoff_ContactAttemptRequest/,
    ],
    [
      'a flow drops the record id',
      'flows/Handoff_Accept_Lead.flow-meta.xml',
      (t) => t.replace('<name>leadId</name>', '<name>lead</name>'),
      /inputs lead, body, operation acceptLead takes body, leadId/,
    ],
    [
      'a flow reads an undeclared response',
      'flows/Handoff_Accept_Lead.flow-meta.xml',
      (t) => t.replace('<name>409</name>', '<name>422</name>'),
      /declares no JSON response 422/,
    ],
    [
      'a flow leaves a required body property unset',
      'flows/Handoff_Log_Touch.flow-meta.xml',
      (t) =>
        t.replace(
          '<assignToReference>ContactAttemptBody.outcome</assignToReference>',
          '<assignToReference>Message</assignToReference>',
        ),
      /never sets the required ContactAttemptBody\.outcome/,
    ],
    [
      'a connector points nowhere',
      'flows/Handoff_Log_Touch.flow-meta.xml',
      (t) => t.replace('<targetReference>Done_Screen</targetReference>', '<targetReference>Done</targetReference>'),
      /connector to unknown element Done$/,
    ],
    [
      'a choice list loses a reason',
      'flows/Handoff_Reject_Lead.flow-meta.xml',
      (t) => t.replace('<choiceReferences>Reason_OTHER</choiceReferences>', ''),
      /the choices of Reason .* are not the schema's values/,
    ],
    [
      'a choice list gains a channel',
      'flows/Handoff_Log_Touch.flow-meta.xml',
      (t) => t.replace('<stringValue>chat</stringValue>', '<stringValue>fax</stringValue>'),
      /the choices of Channel/,
    ],
    [
      'a screen shows an unknown variable',
      'flows/Handoff_Reject_Lead.flow-meta.xml',
      (t) => t.replace('{!Message}', '{!Mesage}'),
      /Mesage: unknown element Mesage/,
    ],
    [
      'a flow reads an unknown nested property',
      'flows/Handoff_Log_Touch.flow-meta.xml',
      (t) => t.replace('ErrorConflict.error.message', 'ErrorConflict.error.text'),
      /text is not a property of ExternalService__Handoff_Error/,
    ],
    [
      'a flow uses an unknown custom permission',
      'flows/Handoff_Send_Qualification.flow-meta.xml',
      (t) => t.replace('$Permission.Handoff_Integration_User', '$Permission.Handoff_Integration'),
      /unknown custom permission/,
    ],
    [
      'a flow sends an unknown Outbound Message',
      'flows/Handoff_Send_Qualification.flow-meta.xml',
      (t) => t.replace('>Lead.Handoff_Qualification<', '>Lead.Handoff_Qualify<'),
      /unknown Outbound Message Lead\.Handoff_Qualify/,
    ],
    [
      'the Outbound Message sends an unknown field',
      'workflows/Lead.workflow-meta.xml',
      (t) => t.replace('<fields>Fit_Score__c</fields>', '<fields>Fit__c</fields>'),
      /unknown field Lead\.Fit__c/,
    ],
    [
      'the Named Credential uses an unknown External Credential',
      'namedCredentials/Handoff_API.namedCredential-meta.xml',
      (t) => t.replace('<externalCredential>Handoff<', '<externalCredential>Handoff_EC<'),
      /unknown External Credential Handoff_EC/,
    ],
    [
      'the header reads another credential',
      'externalCredentials/Handoff.externalCredential-meta.xml',
      (t) => t.replace('$Credential.Handoff.ApiKey', '$Credential.Other.ApiKey'),
      /reads \$Credential\.Other/,
    ],
    [
      'the External Service uses an unknown Named Credential',
      'externalServiceRegistrations/Handoff.externalServiceRegistration-meta.xml',
      (t) => t.replace('>Handoff_API<', '>Handoff_Api<'),
      /unknown Named Credential Handoff_Api/,
    ],
    [
      'the External Service leaves an operation inactive',
      'externalServiceRegistrations/Handoff.externalServiceRegistration-meta.xml',
      (t) => t.replace('<active>true</active>', '<active>false</active>'),
      /active operations/,
    ],
  ];
  test.each(cases)('%s', (_, relative, edit, expected) => {
    const broken: Project = withEdit(project, file(relative), edit);
    const problems = referenceProblems(broken);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    expect(problems.every((p) => p.startsWith(file(relative)) || p.includes('flows/'))).toBe(true);
  });
});

test('the admin README names every piece it asks the admin to deploy, configure or assign', () => {
  const readme = project.get('README.md')!;
  const named = [
    ...cat.of('QuickAction').flatMap((c) => [c.name, String(c.body.label)]),
    ...cat.of('Flow').map((c) => String(c.body.label)),
    ...cat.of('PermissionSet').map((c) => c.name),
    ...cat.of('NamedCredential').flatMap((c) => [c.name, String(c.body.label)]),
    ...cat.of('ExternalCredential').flatMap((c) => [
      c.name,
      ...list(c.body.externalCredentialParameters)
        .filter((p) => p.parameterType === 'NamedPrincipal')
        .map((p) => String(p.parameterName)),
    ]),
    ...cat.of('CustomPermission').map((c) => c.name),
    ...list(cat.get('Workflow', 'Lead')!.body.outboundMessages).flatMap((m) => [String(m.fullName), String(m.name)]),
    'ApiKey',
  ];
  expect(named.length).toBeGreaterThan(15);
  expect(named.filter((name) => !readme.includes(name))).toEqual([]);
});

test("the README's pre-deploy edit finds the Outbound Message's placeholders", () => {
  const readme = project.get('README.md')!;
  const message = list(cat.get('Workflow', 'Lead')!.body.outboundMessages)[0]!;
  expect(message.endpointUrl).toBe('https://handoff.example.com/v1/salesforce/outbound-messages?key=CRM_KEY');
  expect(message.integrationUser).toBe('integration@yourcompany.com');
  expect(readme).toContain('s#https://handoff\\.example\\.com(/v1/salesforce/outbound-messages)\\?key=CRM_KEY#');
  expect(readme).toContain('s#integration\\@yourcompany\\.com#');
});
