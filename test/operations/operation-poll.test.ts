/**
 * OperationPoll: the subscribers of one operation share one store read a
 * tick, started by the first and stopped by the last; an operation gone
 * from the store ends its followers. The ticks run on fake timers, so the
 * reads are counted per tick, not guessed from elapsed time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OperationPoll } from '../../dist/src/operations/operation-poll.js';
import type { OperationRecord } from '../../dist/src/domain/operation-records.js';

const record = (id: string) => ({ id, status: 'RUNNING' }) as unknown as OperationRecord;

describe('OperationPoll', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }));
  afterEach(() => vi.useRealTimers());

  it('reads each followed operation once a tick, whatever the number of followers, and stops with the last', async () => {
    const reads: string[] = [];
    const delivered: string[] = [];
    const poll = new OperationPoll({
      read: async (id) => (reads.push(id), record(id)),
      deliver: (r) => delivered.push(r.id),
      logger: { warn: () => {} },
      everyMs: 20,
    });
    const unfollow = Array.from({ length: 50 }, () => poll.follow('op-1', () => {}));
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toEqual(Array(5).fill('op-1')); // 5 ticks, one read each, not 50 followers × 5
    expect(delivered).toEqual(Array(5).fill('op-1'));
    for (const f of unfollow.slice(1)) f();
    expect(poll.size).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(reads).toHaveLength(6); // one follower left: still read
    unfollow[0]();
    expect(poll.size).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(reads).toHaveLength(6); // the last one left: no more reads
  });

  it('ends every follower of an operation that no longer exists', async () => {
    const poll = new OperationPoll({ read: async () => null, deliver: () => {}, logger: { warn: () => {} }, everyMs: 10 });
    let gone = 0;
    const stops = [poll.follow('op-2', () => gone++), poll.follow('op-2', () => gone++)];
    await vi.advanceTimersByTimeAsync(9);
    expect(gone).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(gone).toBe(2);
    for (const stop of stops) stop();
    expect(poll.size).toBe(0);
  });
});
