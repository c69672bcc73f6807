import { create } from 'zustand';
import type { PayDeskClient } from '../../api/client';
import { throttle } from '../../lib/throttle';
import type { RequestOf } from '../../../../shared/contract';
import type { Failure } from '../../../../shared/result';
import type { LoadGeneratorStatus, MetricsDashboard, MetricsRange, MetricsTraffic } from '../../../../shared/metrics';

/** The dashboard asks the engine again at most this often while payments flow (a few times a second at most). */
export const dashboardRefreshIntervalMs = 500;
/** With no traffic, it still refreshes this often so "PT now" and the time axis move on. */
export const dashboardIdleRefreshMs = 5_000;

export interface LoadSettings {
  ratePerSecond: string;
  durationSeconds: string;
  failingPercent: string;
}

export interface DashboardState {
  range: MetricsRange;
  traffic: MetricsTraffic;
  customFrom: string;
  customTo: string;
  metrics: MetricsDashboard | null;
  /** On All traffic, the same range for real-time traffic alone: the PT chart draws it on its own axis. */
  realtimeMetrics: MetricsDashboard | null;
  failure: Failure | null;
  loadStatus: LoadGeneratorStatus | null;
  loadFailure: Failure | null;
  loadSettings: LoadSettings;
  setRange(range: MetricsRange): void;
  setTraffic(traffic: MetricsTraffic): void;
  setCustom(from: string, to: string): void;
  setLoadSettings(settings: Partial<LoadSettings>): void;
  refresh(): Promise<void>;
  startLoad(request: { ratePerSecond: number; durationSeconds: number; failingShare: number }): Promise<void>;
  stopLoad(): Promise<void>;
  noteLoadStatus(status: LoadGeneratorStatus): void;
}

function localMidnightMs(): number {
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  return today.getTime();
}

/** "2026-05-01T09:30" from a datetime-local input, as epoch milliseconds; NaN when incomplete. */
export function parseLocalDateTime(text: string): number {
  return text === '' ? Number.NaN : new Date(text).getTime();
}

export function createDashboardStore(client: PayDeskClient) {
  let generation = 0;
  return create<DashboardState>()((set, get) => ({
    range: '5m',
    traffic: 'all',
    customFrom: '',
    customTo: '',
    metrics: null,
    realtimeMetrics: null,
    failure: null,
    loadStatus: null,
    loadFailure: null,
    loadSettings: { ratePerSecond: '20', durationSeconds: '60', failingPercent: '5' },
    setRange(range) {
      set({ range });
      void get().refresh();
    },
    setTraffic(traffic) {
      set({ traffic });
      void get().refresh();
    },
    setCustom(customFrom, customTo) {
      set({ customFrom, customTo });
      if (get().range === 'custom') void get().refresh();
    },
    setLoadSettings(settings) {
      set({ loadSettings: { ...get().loadSettings, ...settings } });
    },
    async refresh() {
      const { range, traffic, customFrom, customTo } = get();
      const request: RequestOf<'metrics-dashboard'> = { range, traffic, todayStartMs: localMidnightMs() };
      if (range === 'custom') {
        const fromMs = parseLocalDateTime(customFrom);
        const toMs = parseLocalDateTime(customTo);
        if (!(fromMs < toMs)) {
          set({ failure: { ok: false, code: 'FF01', message: 'Choose a start and an end, the start before the end.', field: 'fromMs' } });
          return;
        }
        Object.assign(request, { fromMs, toMs });
      }
      // Answers can overtake each other: only the newest request's answer is shown.
      const mine = ++generation;
      const [result, realtime] = await Promise.all([
        client.invoke('metrics-dashboard', request),
        traffic === 'all' ? client.invoke('metrics-dashboard', { ...request, traffic: 'realtime' }) : Promise.resolve(null),
      ]);
      if (mine !== generation) return;
      const realtimeMetrics = realtime?.ok ? realtime.value : null;
      if (result.ok) set({ metrics: result.value, realtimeMetrics, failure: null });
      else set({ failure: result });
    },
    async startLoad(request) {
      const result = await client.invoke('demo-load-start', request);
      if (result.ok) set({ loadStatus: result.value, loadFailure: null });
      else set({ loadFailure: result });
    },
    async stopLoad() {
      const result = await client.invoke('demo-load-stop', {});
      if (result.ok) set({ loadStatus: result.value, loadFailure: null });
      else set({ loadFailure: result });
    },
    noteLoadStatus(loadStatus) {
      set({ loadStatus });
    },
  }));
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;

/**
 * Follows the engine while the dashboard is open: a metrics tick (or a
 * ledger change) asks for fresh figures, throttled; the load generator's
 * status is shown as it comes. Returns the way to stop.
 */
export function connectDashboard(store: DashboardStore, client: PayDeskClient): () => void {
  const refresh = throttle(() => void store.getState().refresh(), dashboardRefreshIntervalMs);
  const stops = [
    client.on('metrics-tick', () => refresh()),
    client.on('ledger-changed', () => refresh()),
    client.on('demo-load-changed', (status) => store.getState().noteLoadStatus(status)),
  ];
  const idle = setInterval(() => refresh(), dashboardIdleRefreshMs);
  refresh();
  void client.invoke('demo-load-status', {}).then((result) => {
    if (result.ok) store.getState().noteLoadStatus(result.value);
  });
  return () => {
    refresh.cancel();
    clearInterval(idle);
    for (const stop of stops) stop();
  };
}
