import { useEffect, useMemo } from 'react';
import { api } from '../../api/client';
import { FailureMessage } from '../../components/FailureMessage';
import { metricsRanges, metricsTraffic, type MetricsRange, type MetricsTotals, type MetricsTraffic } from '../../../../shared/metrics';
import { formatCount, formatLatency, formatPercent } from '../../../../shared/metrics-format';
import {
  emptyMessage,
  failureChartBars,
  headlineTiles,
  histogramChartBars,
  latencySeries,
  rangeName,
  successRateSeries,
  throughputSeries,
  timeTickFormatter,
  type TileModel,
} from './chart-data';
import { FailuresChart, LatencyChart, LatencyHistogram, SuccessRateChart, ThroughputChart } from './charts';
import { connectDashboard, createDashboardStore } from './dashboard-store';
import { LoadGeneratorPanel } from './LoadGeneratorPanel';
import './dashboard.css';

export const useDashboardStore = createDashboardStore(api);

const trafficNames: Record<MetricsTraffic, string> = { all: 'All traffic', realtime: 'Real-time', batch: 'Batch' };

export function DashboardPage() {
  useEffect(() => connectDashboard(useDashboardStore, api), []);
  const failure = useDashboardStore((state) => state.failure);
  return (
    <>
      <div className="page-heading">
        <h1 id="page-title">Dashboard</h1>
        <RangePicker />
      </div>
      {failure !== null && <FailureMessage failure={failure} />}
      <HeadlineTiles />
      <Charts />
      <LoadGeneratorPanel store={useDashboardStore} />
    </>
  );
}

function RangePicker() {
  const range = useDashboardStore((state) => state.range);
  const traffic = useDashboardStore((state) => state.traffic);
  const customFrom = useDashboardStore((state) => state.customFrom);
  const customTo = useDashboardStore((state) => state.customTo);
  const { setRange, setTraffic, setCustom } = useDashboardStore.getState();
  return (
    <div className="toolbar dashboard-toolbar">
      <label className="field">
        <span>Time range</span>
        <select value={range} onChange={(event) => setRange(event.target.value as MetricsRange)} aria-label="Time range">
          {metricsRanges.map((name) => (
            <option key={name} value={name}>{name === 'custom' ? 'Custom…' : rangeName(name).replace(/^./, (first) => first.toUpperCase())}</option>
          ))}
        </select>
      </label>
      {range === 'custom' && (
        <>
          <label className="field">
            <span>From</span>
            <input type="datetime-local" value={customFrom} onChange={(event) => setCustom(event.target.value, customTo)} />
          </label>
          <label className="field">
            <span>To</span>
            <input type="datetime-local" value={customTo} onChange={(event) => setCustom(customFrom, event.target.value)} />
          </label>
        </>
      )}
      <label className="field">
        <span>Traffic</span>
        <select value={traffic} onChange={(event) => setTraffic(event.target.value as MetricsTraffic)} aria-label="Traffic">
          {metricsTraffic.map((name) => (
            <option key={name} value={name}>{trafficNames[name]}</option>
          ))}
        </select>
      </label>
    </div>
  );
}

function HeadlineTiles() {
  const metrics = useDashboardStore((state) => state.metrics);
  const tiles = useMemo(() => (metrics === null ? null : headlineTiles(metrics)), [metrics]);
  if (tiles === null) return <p className="muted">Loading the figures…</p>;
  return (
    <div className="tiles" role="list" aria-label="Headline figures">
      {tiles.map((tile) => (
        <Tile key={tile.id} tile={tile} />
      ))}
    </div>
  );
}

function Tile({ tile }: { tile: TileModel }) {
  return (
    <div className="tile" role="listitem" data-testid={`tile-${tile.id}`}>
      <span className="tile-label">{tile.label}</span>
      <span className="tile-value" data-testid={`tile-${tile.id}-value`}>{tile.value}</span>
      <span className={`tile-change tile-${tile.tone}`} title={`Compared with ${tile.comparedWith}`}>
        {tile.change} <span className="muted">vs {tile.comparedWith}</span>
      </span>
    </div>
  );
}

function Charts() {
  const metrics = useDashboardStore((state) => state.metrics);
  const realtimeMetrics = useDashboardStore((state) => state.realtimeMetrics);
  const data = useMemo(() => {
    if (metrics === null) return null;
    return {
      formatTime: timeTickFormatter(metrics.stepSeconds),
      latency: latencySeries(metrics.points),
      throughput: throughputSeries(metrics.points, metrics.traffic === 'all' ? (realtimeMetrics?.points ?? null) : null),
      successRate: successRateSeries(metrics.points),
      histogram: histogramChartBars(metrics.histogram),
      failures: failureChartBars(metrics.failures),
      empty: emptyMessage(metrics),
      split: metrics.byTraffic,
    };
  }, [metrics, realtimeMetrics]);
  if (data === null) return null;
  if (data.empty !== null) return <p className="panel dashboard-empty" data-testid="dashboard-empty">{data.empty}</p>;
  return (
    <>
      <TrafficSplit split={data.split} />
      <div className="charts">
        <LatencyChart data={data.latency} formatTime={data.formatTime} />
        <LatencyHistogram data={data.histogram} />
        <ThroughputChart data={data.throughput} formatTime={data.formatTime} />
        <SuccessRateChart data={data.successRate} formatTime={data.formatTime} />
        <FailuresChart data={data.failures} />
      </div>
    </>
  );
}

function TrafficSplit({ split }: { split: { realtime: MetricsTotals; batch: MetricsTotals } }) {
  const row = (name: string, totals: MetricsTotals) => (
    <tr key={name}>
      <th scope="row">{name}</th>
      <td>{formatCount(totals.total)}</td>
      <td>{formatPercent(totals.successRate)}</td>
      <td>{formatLatency(totals.plt.p50Us)}</td>
      <td>{formatLatency(totals.plt.p99Us)}</td>
    </tr>
  );
  return (
    <div className="table-frame traffic-split">
      <table className="data-table" aria-label="Real-time and batch traffic">
        <thead>
          <tr><th scope="col">Traffic</th><th scope="col">Payments</th><th scope="col">PSR</th><th scope="col">PLT p50</th><th scope="col">PLT p99</th></tr>
        </thead>
        <tbody>
          {row('Real-time', split.realtime)}
          {row('Batch', split.batch)}
        </tbody>
      </table>
    </div>
  );
}
