/**
 * OperationPoll: the subscribers of one operation share one store read a
 * tick, started by the first and stopped by the last; an operation gone
 * from the store ends its followers.
 */
import { describe, expect, it } from 'vitest';
import { OperationPoll } from '../../dist/src/operations/operation-poll.js';
import type { OperationRecord } from '../../dist/src/domain/operation-records.js';

const record = (id: string) => ({ id, status: 'RUNNING' }) as unknown as OperationRecord;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OperationPoll', () => {
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
    await sleep(110);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.length).toBeLessThanOrEqual(6); // ~5 ticks, not 50 readers × 5
    expect(new Set(delivered)).toEqual(new Set(['op-1']));
    for (const f of unfollow.slice(1)) f();
    expect(poll.size).toBe(1);
    unfollow[0]();
    expect(poll.size).toBe(0);
    const after = reads.length;
    await sleep(60);
    expect(reads.length).toBe(after);
  });

  it('ends every follower of an operation that no longer exists', async () => {
    const poll = new OperationPoll({ read: async () => null, deliver: () => {}, logger: { warn: () => {} }, everyMs: 10 });
    let gone = 0;
    const stops = [poll.follow('op-2', () => gone++), poll.follow('op-2', () => gone++)];
    await sleep(35);
    expect(gone).toBeGreaterThanOrEqual(2);
    for (const stop of stops) stop();
    expect(poll.size).toBe(0);
  });
});
