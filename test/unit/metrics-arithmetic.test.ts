import { describe, expect, it } from 'vitest';
import {
  chooseStep,
  decodeCountsInto,
  decodeHistogramInto,
  encodeCounts,
  encodeHistogram,
  paymentsPerSecond,
  pltBucketBounds,
  pltBucketCount,
  pltBucketIndex,
  pltBucketValueUs,
  pltPercentileUs,
  relativeChange,
  successRate,
  summarisePlt,
  type PltHistogram,
} from '../../shared/metrics';
import { formatChange, formatLatency, formatPercent, formatRate } from '../../shared/metrics-format';

function histogramOf(latenciesUs: number[]): PltHistogram {
  const histogram: PltHistogram = new Map();
  for (const latencyUs of latenciesUs) {
    const index = pltBucketIndex(latencyUs);
    histogram.set(index, (histogram.get(index) ?? 0) + 1);
  }
  return histogram;
}

describe('PLT histogram buckets', () => {
  it('keeps latencies under 16 us in exact one-microsecond buckets', () => {
    for (let latencyUs = 0; latencyUs < 16; latencyUs++) {
      expect(pltBucketIndex(latencyUs)).toBe(latencyUs);
      expect(pltBucketBounds(latencyUs)).toEqual({ lowUs: latencyUs, highUs: latencyUs + 1 });
      expect(pltBucketValueUs(latencyUs)).toBe(latencyUs);
    }
  });

  it('cuts each power of two into eight equal buckets (hand-computed cases)', () => {
    // 16 and 17 share [16, 18); 100 is in 64..127 (exponent 6, width 8): sub-bucket 100/8 - 8 = 4, index 4*8 + 4 = 36, [96, 104).
    expect(pltBucketIndex(16)).toBe(16);
    expect(pltBucketIndex(17)).toBe(16);
    expect(pltBucketIndex(18)).toBe(17);
    expect(pltBucketIndex(31)).toBe(23);
    expect(pltBucketIndex(32)).toBe(24);
    expect(pltBucketIndex(100)).toBe(36);
    expect(pltBucketBounds(36)).toEqual({ lowUs: 96, highUs: 104 });
    expect(pltBucketValueUs(36)).toBe(100);
    // 1,500 us: exponent 10, width 128, 1500/128 = 11.7 -> sub-bucket 3, index 8*8 + 3 = 67, [1408, 1536).
    expect(pltBucketIndex(1_500)).toBe(67);
    expect(pltBucketBounds(67)).toEqual({ lowUs: 1_408, highUs: 1_536 });
  });

  it('has contiguous buckets with a relative error of at most 1/16', () => {
    for (let index = 0; index < pltBucketCount - 1; index++) {
      const { lowUs, highUs } = pltBucketBounds(index);
      expect(pltBucketBounds(index + 1).lowUs).toBe(highUs);
      expect(pltBucketIndex(lowUs)).toBe(index);
      expect(pltBucketIndex(highUs - 1)).toBe(index);
      expect((pltBucketValueUs(index) - lowUs) / Math.max(lowUs, 1)).toBeLessThanOrEqual(1 / 16);
    }
  });

  it('clamps negative, fractional and huge latencies into the range', () => {
    expect(pltBucketIndex(-5)).toBe(0);
    expect(pltBucketIndex(3.9)).toBe(3);
    expect(pltBucketIndex(2 ** 40)).toBe(pltBucketCount - 1);
  });

  it('round-trips through the stored text form', () => {
    const histogram = histogramOf([1, 1, 100, 1_500, 1_500, 1_500]);
    const text = encodeHistogram(histogram);
    expect(text).toBe('1:2,36:1,67:3');
    const decoded: PltHistogram = new Map();
    decodeHistogramInto(decoded, text);
    expect(decoded).toEqual(histogram);
    const counts = new Map<string, number>();
    decodeCountsInto(counts, encodeCounts(new Map([['AM04', 3], ['AC01', 1]])));
    decodeCountsInto(counts, 'AM04:2');
    expect(Object.fromEntries(counts)).toEqual({ AC01: 1, AM04: 5 });
  });
});

describe('PLT percentiles', () => {
  it('takes the nearest rank: of 1..10 us, p50 is 5, p95 and p99 are 10', () => {
    const latencies = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const histogram = histogramOf(latencies);
    expect(pltPercentileUs(histogram, 50, 10)).toBe(5);
    expect(pltPercentileUs(histogram, 90, 10)).toBe(9);
    expect(pltPercentileUs(histogram, 95, 10)).toBe(10);
    expect(pltPercentileUs(histogram, 99, 10)).toBe(10);
  });

  it('reads bucket midpoints and caps at the exact maximum', () => {
    // 98 x 100 us (bucket [96,104) -> 100), one 1,500 us ([1408,1536) -> 1472), one 1,450 us (same bucket).
    const latencies = [...Array(98).fill(100), 1_500, 1_450];
    const summary = summarisePlt(histogramOf(latencies), 1_500);
    expect(summary).toEqual({ count: 100, p50Us: 100, p95Us: 100, p99Us: 1_472, maxUs: 1_500 });
    // A single value reads as itself when the maximum is smaller than the bucket midpoint.
    expect(pltPercentileUs(histogramOf([1_420]), 99, 1_420)).toBe(1_420);
  });

  it('is null on an empty histogram', () => {
    expect(summarisePlt(new Map(), 0)).toEqual({ count: 0, p50Us: null, p95Us: null, p99Us: null, maxUs: null });
  });
});

describe('PSR, PT and chart steps', () => {
  it('computes PSR = Ns / Nt and PT = N / T', () => {
    expect(successRate(39, 40)).toBe(0.975);
    expect(successRate(0, 0)).toBeNull();
    expect(paymentsPerSecond(300, 60_000)).toBe(5);
    expect(paymentsPerSecond(3, 0)).toBeNull();
    expect(relativeChange(120, 100)).toBeCloseTo(0.2);
    expect(relativeChange(5, 0)).toBeNull();
  });

  it('picks the smallest step that keeps a range under 360 points, summed from the widest stored window', () => {
    expect(chooseStep(5 * 60_000)).toEqual({ stepSeconds: 1, levelSeconds: 1 });
    expect(chooseStep(60 * 60_000)).toEqual({ stepSeconds: 10, levelSeconds: 1 });
    expect(chooseStep(24 * 60 * 60_000)).toEqual({ stepSeconds: 300, levelSeconds: 60 });
    expect(chooseStep(7 * 24 * 60 * 60_000)).toEqual({ stepSeconds: 1_800, levelSeconds: 60 });
    expect(chooseStep(60 * 24 * 60 * 60_000)).toEqual({ stepSeconds: 21_600, levelSeconds: 3_600 });
  });

  it('formats figures the way the tiles and the CLI show them', () => {
    expect(formatPercent(0.975)).toBe('97.50 %');
    expect(formatLatency(850)).toBe('850 µs');
    expect(formatLatency(1_472)).toBe('1.47 ms');
    expect(formatLatency(2_400_000)).toBe('2.40 s');
    expect(formatRate(4.25)).toBe('4.3/s');
    expect(formatRate(13_423)).toBe('13,423.0/s');
    expect(formatChange(-0.05)).toBe('−5.0 %');
    expect(formatChange(null)).toBe('no earlier data');
  });
});
