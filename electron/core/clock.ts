/**
 * The engine's clock. Payments are stamped with the wall clock exactly as it
 * reads: a clock that jumps (a wrong date set by hand, a dead RTC battery, a
 * virtual machine resumed) must not leave its jump behind as a floor under
 * every later stamp. Order is `seq`'s job, never the stamp's.
 *
 * A jump is told from ordinary time passing by comparing the wall clock's
 * advance with the monotonic clock's advance between two readings: they agree
 * to within milliseconds unless the wall clock was set. A jump is reported to
 * the listener (the engine writes it to the audit trail) and changes nothing else.
 */

/** Where time comes from; tests inject one that they move. */
export interface Clock {
  /** Wall-clock time, milliseconds since the Unix epoch. */
  nowMs(): number;
  /** A monotonic reading in nanoseconds; only differences between readings mean anything. */
  monotonicNs(): bigint;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicNs: () => process.hrtime.bigint(),
};

/**
 * A wall clock that moved this much more (or less) than the monotonic clock
 * between two readings was set, not slewed: NTP slews by at most 0.5 ms per
 * second and steps only past 128 ms, so a minute is far above both and far
 * below any jump worth an operator's attention.
 */
export const clockJumpThresholdMs = 60_000;

export interface ClockJump {
  /** Positive when the wall clock moved forward, negative when it went back. */
  jumpMs: number;
  fromMs: number;
  toMs: number;
  /** What the jump was measured against. */
  basis: 'monotonic' | 'last-stamp';
}

/** Reads a Clock for payment stamps and notices jumps. */
export class StampClock {
  private lastWallMs: number | null = null;
  private lastMonotonicNs = 0n;
  private readonly listeners = new Set<(jump: ClockJump) => void>();

  constructor(readonly clock: Clock = systemClock) {}

  /**
   * The wall clock as read. `lastStampMs` is the newest stamp in the ledger:
   * on the first reading of this process there is no monotonic reading to
   * compare with, so a clock behind the ledger's last stamp by more than the
   * threshold is the jump (a clock that went back while the ledger was closed).
   */
  read(lastStampMs: number): number {
    const wallMs = this.clock.nowMs();
    const monotonicNs = this.clock.monotonicNs();
    const jump = this.jumpSince(wallMs, monotonicNs, lastStampMs);
    this.lastWallMs = wallMs;
    this.lastMonotonicNs = monotonicNs;
    if (jump !== null) for (const listener of this.listeners) listener(jump);
    return wallMs;
  }

  /** Called with every jump noticed; returns the way to stop. */
  onJump(listener: (jump: ClockJump) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private jumpSince(wallMs: number, monotonicNs: bigint, lastStampMs: number): ClockJump | null {
    if (this.lastWallMs === null) {
      if (lastStampMs - wallMs <= clockJumpThresholdMs) return null;
      return { jumpMs: wallMs - lastStampMs, fromMs: lastStampMs, toMs: wallMs, basis: 'last-stamp' };
    }
    const monotonicMs = Number((monotonicNs - this.lastMonotonicNs) / 1_000_000n);
    const jumpMs = wallMs - this.lastWallMs - monotonicMs;
    if (Math.abs(jumpMs) <= clockJumpThresholdMs) return null;
    return { jumpMs, fromMs: this.lastWallMs + monotonicMs, toMs: wallMs, basis: 'monotonic' };
  }
}

/** The audit sentence for a jump. */
export function describeClockJump(jump: ClockJump): string {
  const direction = jump.jumpMs > 0 ? 'forward' : 'back';
  const seconds = Math.round(Math.abs(jump.jumpMs) / 1000).toLocaleString('en-US');
  const basis = jump.basis === 'monotonic'
    ? 'the wall clock and the monotonic clock disagree'
    : 'the clock reads earlier than the ledger\'s last payment';
  return `The system clock moved ${direction} by ${seconds} s (${basis}): it read ${new Date(jump.toMs).toISOString()} ` +
    `where ${new Date(jump.fromMs).toISOString()} was expected. Payments are stamped with the clock as read and kept in order by sequence number.`;
}
