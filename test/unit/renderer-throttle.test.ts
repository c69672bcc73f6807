import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../renderer/src/lib/throttle';

describe('refresh throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs at once, then folds a burst into one trailing run', () => {
    const action = vi.fn();
    const throttled = throttle(action, 400);
    throttled();
    expect(action).toHaveBeenCalledTimes(1);
    for (let call = 0; call < 50; call += 1) throttled();
    expect(action).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(400);
    expect(action).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(2000);
    expect(action).toHaveBeenCalledTimes(2);
  });

  it('never runs more than once per interval under a steady stream', () => {
    const action = vi.fn();
    const throttled = throttle(action, 400);
    for (let elapsedMs = 0; elapsedMs < 2000; elapsedMs += 10) {
      throttled();
      vi.advanceTimersByTime(10);
    }
    expect(action.mock.calls.length).toBeLessThanOrEqual(6);
    expect(action.mock.calls.length).toBeGreaterThanOrEqual(4);
  });
});
