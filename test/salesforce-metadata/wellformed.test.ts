import { wellFormednessProblems } from './checks';
import { components, readProject, SOURCE_ROOT, withEdit } from './metadata';

const project = readProject();
const ACCEPT_FLOW = `${SOURCE_ROOT}/flows/Handoff_Accept_Lead.flow-meta.xml`;

test('every XML file under infra/salesforce is well-formed metadata of the type its name says, at the project API version', () => {
  expect(wellFormednessProblems(project)).toEqual([]);
  const types = components(project).map((c) => c.type);
  for (const type of [
    'CustomField',
    'PermissionSet',
    'CustomPermission',
    'ExternalCredential',
    'NamedCredential',
    'ExternalServiceRegistration',
    'Flow',
    'QuickAction',
    'Workflow',
  ]) {
    expect(types).toContain(type);
  }
  expect([...project.keys()].filter((f) => f.endsWith('.xml')).length).toBe(components(project).length);
});

test('a broken copy is caught: truncated XML, a foreign root, another API version, an unknown file, a long description', () => {
  const truncated = withEdit(project, ACCEPT_FLOW, (t) => t.slice(0, t.length - 20));
  expect(wellFormednessProblems(truncated)).toEqual([
    expect.stringMatching(/^force-app\/main\/default\/flows\/Handoff_Accept_Lead\.flow-meta\.xml: not well-formed XML/),
  ]);

  const unbalanced = withEdit(project, ACCEPT_FLOW, (t) =>
    t.replace('<label>Handoff: Accept Lead</label>', '<label>Handoff: Accept Lead</labl>'),
  );
  expect(wellFormednessProblems(unbalanced)).toEqual([expect.stringContaining('not well-formed XML')]);

  const foreignRoot = withEdit(project, ACCEPT_FLOW, (t) =>
    t.replace('<Flow xmlns', '<Flows xmlns').replace('</Flow>', '</Flows>'),
  );
  expect(wellFormednessProblems(foreignRoot)).toEqual([`${ACCEPT_FLOW}: root element Flows, expected Flow`]);

  const noNamespace = withEdit(project, ACCEPT_FLOW, (t) =>
    t.replace(' xmlns="http://soap.sforce.com/2006/04/metadata"', ''),
  );
  expect(wellFormednessProblems(noNamespace)).toEqual([
    `${ACCEPT_FLOW}: root element not in namespace http://soap.sforce.com/2006/04/metadata`,
  ]);

  const oldVersion = withEdit(project, ACCEPT_FLOW, (t) =>
    t.replace('<apiVersion>62.0</apiVersion>', '<apiVersion>58.0</apiVersion>'),
  );
  expect(wellFormednessProblems(oldVersion)).toEqual([`${ACCEPT_FLOW}: apiVersion 58.0, the project uses 62.0`]);

  const stray = new Map(project).set(`${SOURCE_ROOT}/flows/Handoff_Accept_Lead.flow.xml`, project.get(ACCEPT_FLOW)!);
  expect(wellFormednessProblems(stray)).toEqual([
    expect.stringMatching(/Handoff_Accept_Lead\.flow\.xml: not a metadata source file/),
  ]);

  const long = withEdit(project, ACCEPT_FLOW, (t) =>
    t.replace(/<description>[^<]*<\/description>/, `<description>${'x'.repeat(256)}</description>`),
  );
  expect(wellFormednessProblems(long)).toEqual([`${ACCEPT_FLOW}: description longer than 255 characters`]);
});
