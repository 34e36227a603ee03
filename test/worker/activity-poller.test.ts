import { ConfigError } from '../../src/config';
import { activityPollerConfigFromEnv } from '../../src/worker/activity-poller';

describe('activityPollerConfigFromEnv', () => {
  test('on every 30 s unless told otherwise', () => {
    expect(activityPollerConfigFromEnv({})).toEqual({ enabled: true, intervalMs: 30_000 });
    expect(activityPollerConfigFromEnv({ HANDOFF_ACTIVITY_POLL: ' ', HANDOFF_ACTIVITY_POLL_INTERVAL: '' })).toEqual({
      enabled: true,
      intervalMs: 30_000,
    });
    expect(activityPollerConfigFromEnv({ HANDOFF_ACTIVITY_POLL: 'off', HANDOFF_ACTIVITY_POLL_INTERVAL: '2m' })).toEqual(
      { enabled: false, intervalMs: 120_000 },
    );
    expect(activityPollerConfigFromEnv({ HANDOFF_ACTIVITY_POLL_INTERVAL: '1s' })).toEqual({
      enabled: true,
      intervalMs: 1000,
    });
  });

  test('bad values stop the start with every problem listed', () => {
    let error: unknown;
    try {
      activityPollerConfigFromEnv({ HANDOFF_ACTIVITY_POLL: 'yes', HANDOFF_ACTIVITY_POLL_INTERVAL: '500ms' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'HANDOFF_ACTIVITY_POLL: expected "on" or "off", got "yes"',
      'HANDOFF_ACTIVITY_POLL_INTERVAL: expected an interval of at least 1s',
    ]);
    expect(() => activityPollerConfigFromEnv({ HANDOFF_ACTIVITY_POLL_INTERVAL: 'often' })).toThrow(
      /HANDOFF_ACTIVITY_POLL_INTERVAL: expected a duration/,
    );
  });
});
