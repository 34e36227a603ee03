import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Handoff's own metrics (namespace `Handoff`), as the worker emits them. */
export const HANDOFF_NAMESPACE = 'Handoff';

/** Each Handoff metric with the statistic and threshold that pages someone. */
export const HANDOFF_METRIC_ALARMS = [
  // An SLA breach escalated more than a second after its deadline.
  {
    metric: 'BreachLagMs',
    statistic: 'p99',
    threshold: 1000,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  },
  {
    metric: 'SalesforceWriteFailures',
    statistic: 'Sum',
    threshold: 0,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  },
  // Retries are normal under Salesforce's lock contention; a sustained stream is not.
  {
    metric: 'SalesforceWriteRetries',
    statistic: 'Sum',
    threshold: 50,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  },
  // Audit rows reaching the ledger more than a minute after the decision.
  {
    metric: 'LedgerLagMs',
    statistic: 'Maximum',
    threshold: 60_000,
    comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  },
] as const;

/** Errors and throttles of each function, and the Handoff metrics, to one SNS topic. */
export class HandoffAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(
    scope: Construct,
    id: string,
    props: { functions: lambda.Function[]; topic: sns.ITopic; salesforceApiCallsFloor: number },
  ) {
    super(scope, id);
    const add = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      comparisonOperator: cloudwatch.ComparisonOperator,
      description: string,
    ) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        // No data means nothing happened (no errors, no breaches), not an outage.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      this.alarms.push(alarm);
    };
    const period = Duration.minutes(5);
    for (const fn of props.functions) {
      const name = fn.node.id;
      add(
        `${name}Errors`,
        fn.metricErrors({ period }),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        `${name} function errors`,
      );
      add(
        `${name}Throttles`,
        fn.metricThrottles({ period }),
        0,
        cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        `${name} function throttled`,
      );
    }
    for (const { metric, statistic, threshold, comparison } of HANDOFF_METRIC_ALARMS) {
      add(
        metric,
        new cloudwatch.Metric({ namespace: HANDOFF_NAMESPACE, metricName: metric, statistic, period }),
        threshold,
        comparison,
        `Handoff ${metric} ${statistic} over ${threshold}`,
      );
    }
    add(
      'SalesforceApiCallsRemaining',
      new cloudwatch.Metric({
        namespace: HANDOFF_NAMESPACE,
        metricName: 'SalesforceApiCallsRemaining',
        statistic: 'Minimum',
        period,
      }),
      props.salesforceApiCallsFloor,
      cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      "The org's remaining daily Salesforce API calls are low",
    );
  }
}
