import { memo, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatCount } from '../../../../shared/metrics-format';
import { formatTick, type FailureChartBar, type HistogramChartBar, type LatencyPoint, type SuccessRatePoint, type ThroughputPoint } from './chart-data';

/**
 * The dashboard's charts. They draw what they are given and nothing else:
 * the data comes from chart-data.ts. Animation is off (live data would
 * animate forever), tooltips are our own, and each chart takes its
 * container's width.
 */

const chartHeightPx = 220;
const colours = {
  p50: '#2b6cb0', p95: '#dd6b20', p99: '#c53030', throughput: '#2f855a', realtime: '#6b46c1', success: '#2b6cb0', histogram: '#4a5568', failure: '#c53030',
};
const axisStyle = { fontSize: 11 };

interface ChartFrameProps {
  title: string;
  testId: string;
  children: ReactNode;
  empty: boolean;
  emptyText: string;
}

function ChartFrame({ title, testId, children, empty, emptyText }: ChartFrameProps) {
  return (
    <section className="panel chart-panel" data-testid={testId} aria-label={title}>
      <h2 className="chart-title">{title}</h2>
      {empty ? (
        <p className="empty chart-empty">{emptyText}</p>
      ) : (
        <div className="chart-body">
          <ResponsiveContainer width="100%" height={chartHeightPx}>
            {children as React.ReactElement}
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

interface TooltipEntry {
  dataKey?: unknown;
  name?: unknown;
  value?: unknown;
  color?: string;
}

interface ValueTooltipProps {
  active?: boolean;
  payload?: readonly TooltipEntry[];
  label?: unknown;
  formatLabel: (label: number | string) => string;
  formatValue: (value: number) => string;
}

function ValueTooltip({ active, payload, label, formatLabel, formatValue }: ValueTooltipProps) {
  if (!active || payload === undefined || payload.length === 0) return null;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-label">{formatLabel(label as number | string)}</div>
      {payload.map((entry) => (
        <div key={String(entry.dataKey)} style={{ color: entry.color }}>
          {String(entry.name)}: {typeof entry.value === 'number' ? formatValue(entry.value) : '–'}
        </div>
      ))}
    </div>
  );
}

/** A tooltip content renderer showing each series' value in the chart's unit. */
function tooltip(formatLabel: (label: number | string) => string, formatValue: (value: number) => string) {
  return function ChartTooltip({ active, payload, label }: { active?: boolean; payload?: readonly unknown[]; label?: unknown }) {
    const entries = payload as readonly TooltipEntry[] | undefined;
    return <ValueTooltip active={active} payload={entries} label={label} formatLabel={formatLabel} formatValue={formatValue} />;
  };
}

const timeAxis = (formatTime: (timeMs: number) => string) => (
  <XAxis dataKey="timeMs" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} tick={axisStyle} minTickGap={24} />
);

const milliseconds = (value: number) => `${formatTick(value)} ms`;

export const LatencyChart = memo(function LatencyChart({ data, formatTime }: { data: LatencyPoint[]; formatTime: (timeMs: number) => string }) {
  const dots = data.filter((point) => point.p50Ms !== null).length <= 120;
  // Steps without payments are nulls: the lines break there (no connectNulls), and nothing is drawn at 0 ms.
  return (
    <ChartFrame title="PLT percentiles over time (ms)" testId="chart-plt" empty={data.every((point) => point.p50Ms === null)}
      emptyText="No latency measured in this range.">
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        {timeAxis(formatTime)}
        <YAxis tick={axisStyle} unit=" ms" width={72} tickFormatter={formatTick} />
        <Tooltip content={tooltip((label) => formatTime(Number(label)), milliseconds)} />
        <Legend />
        <Line name="p50" dataKey="p50Ms" stroke={colours.p50} dot={dots} isAnimationActive={false} />
        <Line name="p95" dataKey="p95Ms" stroke={colours.p95} dot={dots} isAnimationActive={false} />
        <Line name="p99" dataKey="p99Ms" stroke={colours.p99} dot={dots} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
});

export const LatencyHistogram = memo(function LatencyHistogram({ data }: { data: HistogramChartBar[] }) {
  return (
    <ChartFrame title="PLT histogram (payments per latency bucket)" testId="chart-histogram" empty={data.length === 0}
      emptyText="No latency measured in this range.">
      <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis dataKey="label" tick={axisStyle} minTickGap={12} />
        <YAxis tick={axisStyle} allowDecimals={false} width={56} tickFormatter={formatTick}
          label={{ value: 'payments', angle: -90, position: 'insideLeft', fontSize: 11 }} />
        <Tooltip content={tooltip((label) => `from ${label}`, (value) => `${formatCount(value)} payments`)} />
        <Bar name="Payments" dataKey="count" fill={colours.histogram} isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
});

export const ThroughputChart = memo(function ThroughputChart({ data, formatTime }: { data: ThroughputPoint[]; formatTime: (timeMs: number) => string }) {
  // On All traffic the real-time rate has an axis of its own (right): scaled to a batch, live load would look flat.
  const withRealtime = data.some((point) => point.realtimePerSecond !== null);
  return (
    <ChartFrame title="PT over time (payments per second)" testId="chart-pt" empty={data.every((point) => point.paymentsPerSecond === 0)}
      emptyText="No payments in this range.">
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        {timeAxis(formatTime)}
        <YAxis yAxisId="all" tick={axisStyle} unit="/s" width={72} tickFormatter={formatTick} />
        {withRealtime ? <YAxis yAxisId="realtime" orientation="right" tick={axisStyle} unit="/s" width={64} tickFormatter={formatTick} /> : null}
        <Tooltip content={tooltip((label) => formatTime(Number(label)), (value) => `${formatTick(value)} payments/s`)} />
        {withRealtime ? <Legend /> : null}
        <Line yAxisId="all" name={withRealtime ? 'PT, all traffic (left axis)' : 'PT'} dataKey="paymentsPerSecond" stroke={colours.throughput}
          dot={false} isAnimationActive={false} />
        {withRealtime ? (
          <Line yAxisId="realtime" name="PT, real-time only (right axis)" dataKey="realtimePerSecond" stroke={colours.realtime} strokeDasharray="5 3"
            dot={false} isAnimationActive={false} />
        ) : null}
      </LineChart>
    </ChartFrame>
  );
});

export const SuccessRateChart = memo(function SuccessRateChart({ data, formatTime }: { data: SuccessRatePoint[]; formatTime: (timeMs: number) => string }) {
  const dots = data.filter((point) => point.successPercent !== null).length <= 120;
  return (
    <ChartFrame title="PSR over time (%)" testId="chart-psr" empty={data.length === 0} emptyText="No payments in this range.">
      <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        {timeAxis(formatTime)}
        <YAxis tick={axisStyle} unit=" %" domain={[0, 100]} width={64} />
        <Tooltip content={tooltip((label) => formatTime(Number(label)), (value) => `${value.toFixed(2)} %`)} />
        {/* A step without payments has no rate: a gap in the line, not a straight run across it. */}
        <Line name="PSR" dataKey="successPercent" stroke={colours.success} dot={dots} isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
});

export const FailuresChart = memo(function FailuresChart({ data }: { data: FailureChartBar[] }) {
  return (
    <ChartFrame title="Failures by reason code" testId="chart-failures" empty={data.length === 0} emptyText="No failed payments in this range.">
      <BarChart data={data} layout="vertical" margin={{ top: 8, right: 56, bottom: 4, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
        <XAxis type="number" tick={axisStyle} allowDecimals={false} unit="" tickFormatter={formatTick} />
        <YAxis type="category" dataKey="code" tick={axisStyle} width={64} />
        <Tooltip
          content={({ active, payload }) => {
            const bar = payload?.[0]?.payload as FailureChartBar | undefined;
            if (!active || bar === undefined) return null;
            return (
              <div className="chart-tooltip">
                <div className="chart-tooltip-label">{bar.code}: {formatCount(bar.count)} payments</div>
                <div>{bar.sentence}</div>
              </div>
            );
          }}
        />
        {/* Sorted, each bar labelled with its count: a code with 3 failures beside one with 30,000 is still read exactly. */}
        <Bar name="Failed payments" dataKey="count" fill={colours.failure} isAnimationActive={false} minPointSize={2}>
          <LabelList dataKey="count" position="right" formatter={(value: unknown) => formatCount(Number(value))} fontSize={11} />
        </Bar>
      </BarChart>
    </ChartFrame>
  );
});
