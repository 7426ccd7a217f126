import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC, QUOTA_CATEGORY_DIMENSION } from '../../lambda/core/telemetry.js';
import { createTelemetry } from '../../lambda/powertools.js';

describe('the metrics port of the Lambda', () => {
  afterEach(() => vi.restoreAllMocks());

  it('emits a metric with its own dimension on its own, with the service, and the others together', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'log').mockImplementation(
      (...args: unknown[]) => void lines.push(args.map(String).join(' ')),
    );
    const { metrics, metricsSink } = createTelemetry();

    metricsSink.count(METRIC.throttles, 3, { [QUOTA_CATEGORY_DIMENSION]: 'UserPoolClientRead' });
    metricsSink.count(METRIC.realtimeChecks, 1);
    metrics.publishStoredMetrics();

    const emf = lines
      .flatMap((line) => line.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    const throttles = emf.find((e) => METRIC.throttles in e);
    const checks = emf.find((e) => METRIC.realtimeChecks in e);
    expect(throttles).toMatchObject({
      [METRIC.throttles]: 3,
      QuotaCategory: 'UserPoolClientRead',
      service: 'cognito-drift',
    });
    expect(throttles._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(
      expect.arrayContaining(['service', 'QuotaCategory']),
    );
    expect(checks).toMatchObject({ [METRIC.realtimeChecks]: 1, service: 'cognito-drift' });
    expect(checks).not.toHaveProperty('QuotaCategory');
  });
});
