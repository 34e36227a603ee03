import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HandoffStack, type DatabaseMode } from '../../infra/aws/lib/handoff-stack';
import type { LambdaManifest } from '../../scripts/lambda-bundles';
import { DATABASE_SECRET_ARN, PLAIN_SECRETS, SALESFORCE_SECRET_ARN } from '../../src/lambda/secrets';
import { lambdaBundles } from './bundles';

type Resource = { Type: string; Properties: Record<string, any>; Condition?: string };

function synth(bundles: LambdaManifest, database: DatabaseMode) {
  // Assets are hashed but not copied: these tests read the template only (lambda-bundles.test.ts checks the staged copy).
  const app = new App({ context: { 'aws:cdk:disable-asset-staging': true } });
  const stack = new HandoffStack(app, 'Handoff', { bundles, database });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { stack, template, resources, idOf };
}

/** The statements of the inline policies attached to a role. */
function statementsOf(resources: Record<string, Resource>, roleId: string) {
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId),
    )
    .flatMap(
      (r) =>
        r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Effect: string }[],
    );
}

const refOf = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);

describe('the CDK stack (external Postgres)', () => {
  let bundles: LambdaManifest;
  let s: ReturnType<typeof synth>;
  beforeAll(async () => {
    bundles = await lambdaBundles();
    s = synth(bundles, 'external');
  });

  test('two functions from the built packages, on the bundles’ architecture, with the documented limits', () => {
    const { resources, idOf, stack } = s;
    const worker = resources[idOf(stack.workerFunction)]!.Properties;
    const api = resources[idOf(stack.apiFunction)]!.Properties;
    expect(refOf(resources, 'AWS::Lambda::Function')).toHaveLength(2);
    expect([worker.Runtime, worker.Handler, worker.Timeout, worker.MemorySize, worker.Architectures]).toEqual([
      'nodejs22.x',
      'index.handler',
      600,
      1024,
      ['x86_64'],
    ]);
    expect([api.Runtime, api.Handler, api.Timeout, api.Architectures]).toEqual([
      'nodejs22.x',
      'index.handler',
      29,
      ['x86_64'],
    ]);
    expect(worker.VpcConfig).toBeUndefined();
  });

  test('the worker: HOME=/tmp, the pre-built workflow bundle, build id = the bundles’ content hash, one published version', () => {
    const { resources, idOf, stack } = s;
    const env = resources[idOf(stack.workerFunction)]!.Properties.Environment.Variables;
    expect(stack.buildId).toBe(`handoff-${bundles.sourceHash.slice(0, 12)}`);
    expect(env).toMatchObject({
      HOME: '/tmp',
      NODE_ENV: 'production',
      HANDOFF_WORKFLOW_BUNDLE: '/var/task/workflow-bundle.js',
      HANDOFF_POLICY: '/var/task/policy.yaml',
      HANDOFF_BUILD_ID: stack.buildId,
      HANDOFF_DEPLOYMENT_NAME: { Ref: 'WorkerDeploymentName' },
      HANDOFF_TASK_QUEUE: { Ref: 'TaskQueue' },
      TEMPORAL_ADDRESS: { Ref: 'TemporalAddress' },
      TEMPORAL_NAMESPACE: { Ref: 'TemporalNamespace' },
    });
    const versions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Version');
    expect(versions.map((v) => v.Properties.FunctionName)).toEqual([{ Ref: idOf(stack.workerFunction) }]);
  });

  test('secrets: each *_SECRET_ARN names the right secret, the code reads exactly those names, and no value is in the template', () => {
    const { resources, idOf, stack, template } = s;
    const secretId = (key: keyof typeof stack.secrets) => idOf(stack.secrets[key]);
    const databaseUrl = refOf(resources, 'AWS::SecretsManager::Secret').find((id) => id.startsWith('DatabaseUrl'))!;
    const worker = resources[idOf(stack.workerFunction)]!.Properties.Environment.Variables;
    const api = resources[idOf(stack.apiFunction)]!.Properties.Environment.Variables;
    const arnVars = (env: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(env).filter(([k]) => k.endsWith('_SECRET_ARN')));
    const shared = {
      TEMPORAL_API_KEY_SECRET_ARN: { Ref: secretId('temporalApiKey') },
      HANDOFF_PAYLOAD_KEYS_SECRET_ARN: { Ref: secretId('payloadKeys') },
      SALESFORCE_SECRET_ARN: { Ref: secretId('salesforce') },
      DATABASE_URL_SECRET_ARN: { Ref: databaseUrl },
    };
    expect(arnVars(worker)).toEqual(shared);
    expect(arnVars(api)).toEqual({
      ...shared,
      HANDOFF_API_KEYS_SECRET_ARN: { Ref: secretId('apiKeys') },
      HANDOFF_WEBHOOK_SECRET_ARN: { Ref: secretId('webhookSecret') },
    });
    const known = [...Object.keys(PLAIN_SECRETS), SALESFORCE_SECRET_ARN, DATABASE_SECRET_ARN];
    expect(Object.keys(arnVars(api)).filter((k) => !known.includes(k))).toEqual([]);
    for (const env of [worker, api]) {
      for (const name of [
        'HANDOFF_API_KEYS',
        'HANDOFF_WEBHOOK_SECRET',
        'TEMPORAL_API_KEY',
        'HANDOFF_PAYLOAD_KEYS',
        'DATABASE_URL',
        'SALESFORCE_CLIENT_SECRET',
      ]) {
        expect(env[name]).toBeUndefined();
      }
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 6);
    for (const id of refOf(resources, 'AWS::SecretsManager::Secret'))
      expect(resources[id]!.Properties.SecretString).toBeUndefined();
  });

  test('IAM least privilege: each execution role reads exactly its secrets, nothing else, no wildcard', () => {
    const { resources, idOf, stack } = s;
    const roleOf = (fn: typeof stack.apiFunction) => idOf(fn.role as never);
    const secretRefs = (keys: (keyof typeof stack.secrets)[]) => [
      ...keys.map((k) => ({ Ref: idOf(stack.secrets[k]) })),
      { Ref: refOf(resources, 'AWS::SecretsManager::Secret').find((id) => id.startsWith('DatabaseUrl'))! },
    ];
    const sortRefs = (refs: unknown) => (refs as { Ref: string }[]).map((r) => r.Ref).sort();
    const worker = statementsOf(resources, roleOf(stack.workerFunction));
    const api = statementsOf(resources, roleOf(stack.apiFunction));
    expect(worker.map((st) => [st.Effect, st.Action])).toEqual([['Allow', 'secretsmanager:GetSecretValue']]);
    expect(sortRefs(worker[0]!.Resource)).toEqual(
      sortRefs(secretRefs(['temporalApiKey', 'payloadKeys', 'salesforce'])),
    );
    expect(api.map((st) => [st.Effect, st.Action])).toEqual([['Allow', 'secretsmanager:GetSecretValue']]);
    expect(sortRefs(api[0]!.Resource)).toEqual(
      sortRefs(secretRefs(['temporalApiKey', 'payloadKeys', 'salesforce', 'apiKeys', 'webhookSecret'])),
    );
    // Beyond that, only the managed policy that writes logs.
    for (const fn of [stack.workerFunction, stack.apiFunction]) {
      const role = resources[roleOf(fn)]!.Properties;
      expect(JSON.stringify(role.ManagedPolicyArns)).toContain('service-role/AWSLambdaBasicExecutionRole');
      expect(role.ManagedPolicyArns).toHaveLength(1);
    }
    expect(JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'))).not.toMatch(
      /"Resource":"\*"|"Action":"\*"|secretsmanager:\*/,
    );
  });

  test("the Temporal invocation role: trusted by Temporal's wci-lambda-invoke role with the external id, invoking only this function and its versions", () => {
    const { resources, idOf, stack, template } = s;
    const roleId = idOf(stack.invokeRole);
    const trust = resources[roleId]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: {
          AWS: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'TemporalAwsAccountId' }, ':role/wci-lambda-invoke'],
            ],
          },
        },
        Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'TemporalExternalId' } } },
      },
    ]);
    const workerArn = { 'Fn::GetAtt': [idOf(stack.workerFunction), 'Arn'] };
    expect(statementsOf(resources, roleId)).toEqual([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction', 'lambda:GetFunction'],
        Resource: [workerArn, { 'Fn::Join': ['', [workerArn, ':*']] }],
      },
    ]);
    expect(resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const params = template.toJSON().Parameters;
    expect(params.TemporalExternalId).toMatchObject({ Type: 'String', MinLength: 5, MaxLength: 45 });
    expect(params.TemporalAwsAccountId).toMatchObject({ AllowedPattern: '^\\d{12}$' });
    expect(params.TemporalExternalId.Default).toBeUndefined();
  });

  test('the HTTP API: payload 2.0 to the API function, $default stage throttled by the parameters', () => {
    const { template, idOf, stack } = s;
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [idOf(stack.apiFunction), 'Arn'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: { Ref: 'ApiThrottleRatePerSecond' },
        ThrottlingBurstLimit: { Ref: 'ApiThrottleBurst' },
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
  });

  test('alarms: errors and throttles of both functions, and the Handoff metrics, to the alarm topic', () => {
    const { resources, idOf, stack } = s;
    const alarms = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);
    const topic = { Ref: refOf(resources, 'AWS::SNS::Topic')[0] };
    for (const a of alarms) expect(a.AlarmActions).toEqual([topic]);
    const lambdaAlarms = alarms
      .filter((a) => a.Namespace === 'AWS/Lambda')
      .map((a) => [a.MetricName, a.Dimensions[0].Value.Ref, a.Statistic, a.Threshold, a.ComparisonOperator]);
    const fn = (f: typeof stack.apiFunction) => idOf(f);
    expect(lambdaAlarms.sort()).toEqual(
      [
        ['Errors', fn(stack.apiFunction), 'Sum', 0, 'GreaterThanThreshold'],
        ['Throttles', fn(stack.apiFunction), 'Sum', 0, 'GreaterThanThreshold'],
        ['Errors', fn(stack.workerFunction), 'Sum', 0, 'GreaterThanThreshold'],
        ['Throttles', fn(stack.workerFunction), 'Sum', 0, 'GreaterThanThreshold'],
      ].sort(),
    );
    const handoff = Object.fromEntries(
      alarms
        .filter((a) => a.Namespace === 'Handoff')
        .map((a) => [a.MetricName, [a.ExtendedStatistic ?? a.Statistic, a.Threshold, a.ComparisonOperator]]),
    );
    expect(handoff).toEqual({
      BreachLagMs: ['p99', 1000, 'GreaterThanThreshold'],
      SalesforceWriteFailures: ['Sum', 0, 'GreaterThanThreshold'],
      SalesforceWriteRetries: ['Sum', 50, 'GreaterThanThreshold'],
      SalesforceApiCallsRemaining: ['Minimum', { Ref: 'SalesforceApiCallsAlarmBelow' }, 'LessThanThreshold'],
      LedgerLagMs: ['Maximum', 60000, 'GreaterThanThreshold'],
    });
    const subscription = Object.values(resources).find((r) => r.Type === 'AWS::SNS::Subscription')!;
    expect(subscription.Condition).toBe('HasAlarmEmail');
  });

  test('outputs: the Temporal Cloud steps, with this build’s version ARN, the role and the external id', () => {
    const { template, idOf, stack, resources } = s;
    const outputs = template.toJSON().Outputs;
    const versionId = refOf(resources, 'AWS::Lambda::Version')[0]!;
    const createVersion = JSON.stringify(outputs.TemporalStep2CreateVersion.Value);
    for (const part of [
      'temporal worker deployment create-version --namespace ',
      ` --build-id ${stack.buildId} --aws-lambda-function-arn `,
      `{"Ref":"${versionId}"}`,
      ' --aws-lambda-assume-role-arn ',
      `{"Fn::GetAtt":["${idOf(stack.invokeRole)}","Arn"]}`,
      ' --aws-lambda-assume-role-external-id ',
      '{"Ref":"TemporalExternalId"}',
    ]) {
      expect(createVersion).toContain(part);
    }
    expect(JSON.stringify(outputs.TemporalStep3SetCurrentVersion.Value)).toContain(`--build-id ${stack.buildId}`);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['ApiUrl', 'WorkerVersionArn', 'TemporalInvokeRoleArn', 'TemporalStep1CreateDeployment']),
    );
  });
});

describe('the CDK stack with Aurora Serverless v2', () => {
  test('a serverless v2 cluster in isolated subnets; the functions in the VPC read its generated secret as DATABASE_SECRET_ARN', async () => {
    const { template, resources, idOf, stack } = synth(await lambdaBundles(), 'aurora');
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      StorageEncrypted: true,
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
    const clusterSecret = refOf(resources, 'AWS::SecretsManager::Secret').filter((id) =>
      resources[id]!.Properties.GenerateSecretString?.SecretStringTemplate?.includes('handoff'),
    );
    expect(clusterSecret).toHaveLength(1);
    const [attachment] = refOf(resources, 'AWS::SecretsManager::SecretTargetAttachment');
    expect(resources[attachment!]!.Properties.SecretId).toEqual({ Ref: clusterSecret[0] });
    expect(refOf(resources, 'AWS::SecretsManager::Secret').some((id) => id.startsWith('DatabaseUrl'))).toBe(false);
    for (const fn of [stack.apiFunction, stack.workerFunction]) {
      const props = resources[idOf(fn)]!.Properties;
      // The attachment's Ref is the cluster secret's ARN, once the secret names the cluster's host.
      expect(props.Environment.Variables.DATABASE_SECRET_ARN).toEqual({ Ref: attachment });
      expect(props.Environment.Variables.DATABASE_URL_SECRET_ARN).toBeUndefined();
      expect(props.Environment.Variables.NODE_EXTRA_CA_CERTS).toBe('/var/runtime/ca-cert.pem');
      expect(props.VpcConfig.SubnetIds).toHaveLength(2);
      const statements = statementsOf(resources, idOf(fn.role as never));
      expect(JSON.stringify(statements)).toContain(JSON.stringify({ Ref: attachment }));
    }
    // The database accepts Postgres connections from the functions' security group only.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: Match.anyValue(),
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionsSecurityGroup'), 'GroupId'] },
    });
  });
});
