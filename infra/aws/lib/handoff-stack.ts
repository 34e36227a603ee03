import { CfnCondition, CfnOutput, CfnParameter, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { LambdaManifest } from '../../../scripts/lambda-bundles';
import { HandoffAlarms } from './alarms';

export type DatabaseMode = 'external' | 'aurora';

export interface HandoffStackProps extends StackProps {
  /** The bundles `npm run build:lambda` wrote (dist/lambda/manifest.json). */
  bundles: LambdaManifest;
  /** `external`: a DATABASE_URL secret for a Postgres you bring; `aurora`: an Aurora Serverless v2 cluster in a new VPC. */
  database: DatabaseMode;
}

/** Where the function package lands on Lambda (LAMBDA_TASK_ROOT). */
const TASK_ROOT = '/var/task';

/**
 * Handoff on AWS: the HTTP API and the Temporal worker on Lambda, their secrets in Secrets Manager,
 * the role Temporal Cloud assumes to invoke the worker, alarms, and optionally an Aurora ledger.
 */
export class HandoffStack extends Stack {
  readonly apiFunction: lambda.Function;
  readonly workerFunction: lambda.Function;
  readonly workerVersion: lambda.Version;
  readonly invokeRole: iam.Role;
  readonly secrets: Record<
    'apiKeys' | 'webhookSecret' | 'salesforce' | 'temporalApiKey' | 'payloadKeys',
    secretsmanager.Secret
  >;
  readonly buildId: string;

  constructor(scope: Construct, id: string, props: HandoffStackProps) {
    super(scope, id, props);
    const { bundles } = props;

    const param = (name: string, options: ConstructorParameters<typeof CfnParameter>[2]) =>
      new CfnParameter(this, name, options);
    const temporalAddress = param('TemporalAddress', {
      description:
        'Temporal Cloud endpoint, e.g. <namespace>.<account>.tmprl.cloud:7233 or <region>.aws.api.temporal.io:7233',
      minLength: 1,
    });
    const temporalNamespace = param('TemporalNamespace', {
      description: 'Temporal Cloud namespace, e.g. handoff.a1b2c',
      minLength: 1,
    });
    const temporalAccountId = param('TemporalAwsAccountId', {
      description:
        "Temporal's AWS account whose wci-lambda-invoke role invokes the worker (from Temporal's serverless-worker docs)",
      allowedPattern: '^\\d{12}$',
      constraintDescription: 'a 12-digit AWS account id',
    });
    const externalId = param('TemporalExternalId', {
      description: 'External id Temporal Cloud presents when it assumes the invocation role (5-45 characters)',
      minLength: 5,
      maxLength: 45,
      allowedPattern: '^[\\w+=,.@:/-]+$',
      constraintDescription: '5-45 characters of letters, digits and +=,.@:/-_',
    });
    const taskQueue = param('TaskQueue', { default: 'handoff', minLength: 1 });
    const deploymentName = param('WorkerDeploymentName', { default: 'handoff', minLength: 1 });
    const salesforceOrgId = param('SalesforceOrgId', {
      description: 'The org id Outbound Messages must carry (15 or 18 characters)',
      allowedPattern: '^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$',
    });
    const salesforceLoginUrl = param('SalesforceLoginUrl', {
      default: 'https://login.salesforce.com',
      allowedPattern: '^https://.+',
    });
    const salesforceInstanceUrl = param('SalesforceInstanceUrl', {
      description: 'Your org, e.g. https://acme.my.salesforce.com',
      allowedPattern: '^https://.+',
    });
    const throttleRate = param('ApiThrottleRatePerSecond', { type: 'Number', default: 50, minValue: 1 });
    const throttleBurst = param('ApiThrottleBurst', { type: 'Number', default: 100, minValue: 1 });
    const apiCallsFloor = param('SalesforceApiCallsAlarmBelow', {
      type: 'Number',
      default: 5000,
      minValue: 0,
      description: 'Alarm when the org has fewer daily API calls left than this',
    });
    const alarmEmail = param('AlarmEmail', {
      default: '',
      description: 'Optional: an address subscribed to the alarms topic',
    });

    const secret = (name: string, description: string) =>
      new secretsmanager.Secret(this, name, {
        description,
        // A random placeholder; put the real value before the first invocation (infra/aws/README.md).
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
    this.secrets = {
      apiKeys: secret('ApiKeys', 'HANDOFF_API_KEYS: comma-separated role:sha256:<hex> digests'),
      webhookSecret: secret(
        'WebhookSecret',
        'HANDOFF_WEBHOOK_SECRET: HMAC secret of CRM webhooks (the generated value is usable)',
      ),
      salesforce: new secretsmanager.Secret(this, 'SalesforceCredentials', {
        description:
          'JSON: SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET | SALESFORCE_USERNAME + SALESFORCE_PRIVATE_KEY | SALESFORCE_REFRESH_TOKEN',
        generateSecretString: {
          secretStringTemplate: '{"SALESFORCE_CLIENT_ID":"set-me"}',
          generateStringKey: 'SALESFORCE_CLIENT_SECRET',
          excludePunctuation: true,
        },
      }),
      temporalApiKey: secret('TemporalApiKey', 'TEMPORAL_API_KEY: a Temporal Cloud API key (service account)'),
      payloadKeys: secret(
        'PayloadKeys',
        'HANDOFF_PAYLOAD_KEYS: comma-separated keyId:base64Key (32 bytes); the first one encrypts',
      ),
    };

    const database = props.database === 'aurora' ? this.aurora() : this.externalDatabase();

    const common: Record<string, string> = {
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: temporalAddress.valueAsString,
      TEMPORAL_NAMESPACE: temporalNamespace.valueAsString,
      HANDOFF_TASK_QUEUE: taskQueue.valueAsString,
      HANDOFF_POLICY: `${TASK_ROOT}/policy.yaml`,
      SALESFORCE_LOGIN_URL: salesforceLoginUrl.valueAsString,
      SALESFORCE_INSTANCE_URL: salesforceInstanceUrl.valueAsString,
      TEMPORAL_API_KEY_SECRET_ARN: this.secrets.temporalApiKey.secretArn,
      HANDOFF_PAYLOAD_KEYS_SECRET_ARN: this.secrets.payloadKeys.secretArn,
      SALESFORCE_SECRET_ARN: this.secrets.salesforce.secretArn,
      [database.arnVariable]: database.secret.secretArn,
      // Node 20+ runtimes do not load the Amazon CAs by default; Aurora's certificate is signed by the RDS CA.
      ...(props.database === 'aurora' ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
    };
    const architecture = bundles.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    const vpcProps = database.vpc
      ? {
          vpc: database.vpc,
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          securityGroups: [database.clientSecurityGroup!],
        }
      : {};

    // The build id is the bundles' content hash: one published Lambda version per build, 1:1 with a Worker Deployment version.
    this.buildId = `handoff-${bundles.sourceHash.slice(0, 12)}`;
    this.workerFunction = new lambda.Function(this, 'Worker', {
      description: `Handoff Temporal worker (@temporalio/lambda-worker), build ${this.buildId}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundles.worker.dir),
      memorySize: 1024,
      // Each invocation polls until its deadline; Temporal's docs use 600 s.
      timeout: Duration.seconds(600),
      logGroup: new logs.LogGroup(this, 'WorkerLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      environment: {
        ...common,
        HOME: '/tmp',
        HANDOFF_WORKFLOW_BUNDLE: `${TASK_ROOT}/workflow-bundle.js`,
        HANDOFF_DEPLOYMENT_NAME: deploymentName.valueAsString,
        HANDOFF_BUILD_ID: this.buildId,
      },
      ...vpcProps,
    });
    this.workerVersion = this.workerFunction.currentVersion;

    this.apiFunction = new lambda.Function(this, 'Api', {
      description: 'Handoff HTTP API (Fastify on @fastify/aws-lambda)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(bundles.api.dir),
      memorySize: 512,
      // API Gateway's integration timeout is 30 s.
      timeout: Duration.seconds(29),
      logGroup: new logs.LogGroup(this, 'ApiLogs', { retention: logs.RetentionDays.ONE_MONTH }),
      environment: {
        ...common,
        SALESFORCE_ORG_ID: salesforceOrgId.valueAsString,
        HANDOFF_API_KEYS_SECRET_ARN: this.secrets.apiKeys.secretArn,
        HANDOFF_WEBHOOK_SECRET_ARN: this.secrets.webhookSecret.secretArn,
      },
      ...vpcProps,
    });

    // Least privilege: each function reads exactly the secrets named in its environment.
    const read = (fn: lambda.Function, secrets: secretsmanager.ISecret[]) =>
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: secrets.map((s) => s.secretArn),
        }),
      );
    const shared = [this.secrets.temporalApiKey, this.secrets.payloadKeys, this.secrets.salesforce, database.secret];
    read(this.workerFunction, shared);
    read(this.apiFunction, [...shared, this.secrets.apiKeys, this.secrets.webhookSecret]);

    const api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Handoff API',
      defaultIntegration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
      createDefaultStage: false,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      // The global limit in front of the per-container limiter (DESIGN §3.1: 429 beyond it).
      throttle: { rateLimit: throttleRate.valueAsNumber, burstLimit: throttleBurst.valueAsNumber },
    });

    // Temporal Cloud's Worker Controller assumes this role to invoke the worker; it is not the function's execution role.
    this.invokeRole = new iam.Role(this, 'TemporalInvokeRole', {
      description: 'Assumed by Temporal Cloud (wci-lambda-invoke) to invoke the Handoff worker',
      assumedBy: new iam.ArnPrincipal(
        `arn:${this.partition}:iam::${temporalAccountId.valueAsString}:role/wci-lambda-invoke`,
      ),
      externalIds: [externalId.valueAsString],
      maxSessionDuration: Duration.hours(1),
    });
    this.invokeRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
        resources: [this.workerFunction.functionArn, `${this.workerFunction.functionArn}:*`],
      }),
    );

    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Handoff alarms' });
    const withEmail = new CfnCondition(this, 'HasAlarmEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(alarmEmail.valueAsString, '')),
    });
    new sns.CfnSubscription(this, 'AlarmEmailSubscription', {
      topicArn: topic.topicArn,
      protocol: 'email',
      endpoint: alarmEmail.valueAsString,
    }).cfnOptions.condition = withEmail;
    new HandoffAlarms(this, 'Alarms', {
      functions: [this.apiFunction, this.workerFunction],
      topic,
      salesforceApiCallsFloor: apiCallsFloor.valueAsNumber,
    });

    const namespaceFlag = `--namespace ${temporalNamespace.valueAsString}`;
    const out = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    out('ApiUrl', stage.url, 'The Handoff API (HTTP API $default stage)');
    out('WorkerVersionArn', this.workerVersion.functionArn, `The worker's Lambda version for build ${this.buildId}`);
    out('TemporalInvokeRoleArn', this.invokeRole.roleArn, 'The role Temporal Cloud assumes');
    out('BuildId', this.buildId, 'The Worker Deployment build id of this Lambda version');
    out('AlarmTopicArn', topic.topicArn, 'SNS topic of the alarms');
    for (const [name, s] of Object.entries({ ...this.secrets, database: database.secret })) {
      out(`Secret${name[0]!.toUpperCase()}${name.slice(1)}Arn`, s.secretArn, `Secrets Manager: ${name}`);
    }
    out(
      'TemporalStep1CreateDeployment',
      `temporal worker deployment create ${namespaceFlag} --name ${deploymentName.valueAsString}`,
      'Once per namespace',
    );
    out(
      'TemporalStep2CreateVersion',
      [
        'temporal worker deployment create-version',
        namespaceFlag,
        `--deployment-name ${deploymentName.valueAsString}`,
        `--build-id ${this.buildId}`,
        `--aws-lambda-function-arn ${this.workerVersion.functionArn}`,
        `--aws-lambda-assume-role-arn ${this.invokeRole.roleArn}`,
        `--aws-lambda-assume-role-external-id ${externalId.valueAsString}`,
      ].join(' '),
      'Registers this build with Temporal Cloud',
    );
    out(
      'TemporalStep3SetCurrentVersion',
      `temporal worker deployment set-current-version ${namespaceFlag} --deployment-name ${deploymentName.valueAsString} --build-id ${this.buildId}`,
      'Routes new and AUTO_UPGRADE workflow tasks to this build',
    );
  }

  private externalDatabase() {
    const secret = new secretsmanager.Secret(this, 'DatabaseUrl', {
      description: 'DATABASE_URL: postgres://user:password@host:5432/db?sslmode=require of the Postgres you bring',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    return { secret, arnVariable: 'DATABASE_URL_SECRET_ARN', vpc: undefined, clientSecurityGroup: undefined };
  }

  /** Aurora Serverless v2 (PostgreSQL) in a new VPC; the functions run in its private subnets, with a NAT for Temporal Cloud and Salesforce. */
  private aurora() {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'functions', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const clientSecurityGroup = new ec2.SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc,
      description: 'Handoff functions',
    });
    const cluster = new rds.DatabaseCluster(this, 'Ledger', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_13 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.serverlessV2('writer'),
      serverlessV2MinCapacity: 0.5,
      serverlessV2MaxCapacity: 4,
      defaultDatabaseName: 'handoff',
      credentials: rds.Credentials.fromGeneratedSecret('handoff'),
      storageEncrypted: true,
    });
    cluster.connections.allowDefaultPortFrom(clientSecurityGroup, 'Handoff functions');
    return { secret: cluster.secret!, arnVariable: 'DATABASE_SECRET_ARN', vpc, clientSecurityGroup };
  }
}
