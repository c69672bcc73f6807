/**
 * Runs `action` at most once per `intervalMs`. A call during the quiet period
 * is not lost: one trailing run happens when the period ends, so the screen
 * always ends up showing the latest state even after a burst of events.
 */
export interface Throttled {
  (): void;
  cancel(): void;
}

export function throttle(action: () => void, intervalMs: number): Throttled {
  let lastRunMs = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const run = () => {
    timer = null;
    lastRunMs = Date.now();
    action();
  };

  const throttled = (() => {
    if (timer !== null) return;
    const waitMs = lastRunMs + intervalMs - Date.now();
    if (waitMs <= 0) run();
    else timer = setTimeout(run, waitMs);
  }) as Throttled;

  throttled.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return throttled;
}
