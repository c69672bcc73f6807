import type { Handlers } from '../../../shared/contract';
import { failure, success } from '../../../shared/result';
import { demoOnlyMessage, isDemoLedger } from '../demo/demo-ledger';
import { LoadGenerator } from '../demo/load-generator';
import type { EngineApi } from '../engine-api';
import { batchMetrics, dashboardMetrics } from './dashboard';

/** The metrics-tick event goes out at most this often, however fast payments commit. */
export const metricsTickIntervalMs = 250;

/**
 * The metrics and demo channels, and the metrics-tick event: after a commit
 * that changed the aggregates, one tick within `metricsTickIntervalMs`, so a
 * batch of a million rows does not flood the windows with events.
 */
export function createMetricsHandlers(engine: EngineApi) {
  const loadGenerator = new LoadGenerator(engine);
  startMetricsTicks(engine);
  return {
    'metrics-dashboard': async (request) => {
        engine.store.flushMetrics();
        return success(dashboardMetrics(engine.store.database, request, engine.clock.nowMs()));
      },
    'metrics-batch': async (request) => {
      engine.store.flushMetrics();
      const metrics = batchMetrics(engine.store.database, request.batchId);
      if (metrics === null) return failure('NOT_FOUND', `No payment of batch ${request.batchId} has been recorded yet.`, 'batchId');
      return success(metrics);
    },
    'demo-load-start': async (request) => {
      if (!isDemoLedger(engine.store.database)) return failure('DEMO_ONLY', demoOnlyMessage);
      return loadGenerator.start(request);
    },
    'demo-load-stop': async () => success(loadGenerator.stop(null)),
    'demo-load-status': async () => success(loadGenerator.current()),
  } satisfies Partial<Handlers>;
}

function startMetricsTicks(engine: EngineApi): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastTickMs = 0;
  const send = () => {
    timer = null;
    lastTickMs = Date.now();
    engine.events.emit('metrics-tick', { payments: engine.store.state.metrics.counted, lastReceivedAtMs: engine.store.state.lastReceivedAtMs });
  };
  engine.store.state.metrics.onChange(() => {
    if (timer !== null) return;
    timer = setTimeout(send, Math.max(0, lastTickMs + metricsTickIntervalMs - Date.now()));
    timer.unref?.();
  });
}

