/**
 * BodyBudget (src/http/body-budget.ts): large bodies wait, unread, until the
 * admitted ones leave room, in arrival order; small ones are never counted.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../dist/src/http/body-budget.js';

const MiB = 1024 * 1024;
const post = (length?: number) =>
  ({ method: 'POST', headers: length === undefined ? {} : { 'content-length': String(length) } }) as unknown as IncomingMessage;

describe('BodyBudget', () => {
  it('admits small bodies and GETs at once without counting them', () => {
    const budget = new BodyBudget(1 * MiB);
    for (let i = 0; i < 100; i++) expect(budget.admit(post(1000), 8 * MiB)).toBeTypeOf('function');
    expect(budget.admit({ method: 'GET', headers: {} } as unknown as IncomingMessage, 8 * MiB)).toBeTypeOf('function');
    expect(budget.inFlight).toBe(0);
  });

  it('makes a large body wait until enough is released, first come first served', async () => {
    const budget = new BodyBudget(8 * MiB);
    const first = budget.admit(post(5 * MiB), 8 * MiB) as () => void;
    expect(first).toBeTypeOf('function');
    const order: string[] = [];
    const second = (budget.admit(post(5 * MiB), 8 * MiB) as Promise<() => void>).then((release) => (order.push('second'), release));
    // Fits beside the first, but arrived after a body that waits: it waits too.
    const third = (budget.admit(post(2 * MiB), 8 * MiB) as Promise<() => void>).then((release) => (order.push('third'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(budget.inFlight).toBe(5 * MiB);
    first();
    first(); // a second call gives nothing back twice
    const [releaseSecond, releaseThird] = await Promise.all([second, third]);
    expect(order).toEqual(['second', 'third']);
    expect(budget.inFlight).toBe(7 * MiB);
    releaseSecond();
    releaseThird();
    expect(budget.inFlight).toBe(0);
  });

  it('counts a body of unknown length as the most it may be, and admits one larger than the budget alone', async () => {
    const budget = new BodyBudget(4 * MiB);
    const unknown = budget.admit(post(), 8 * MiB) as () => void;
    expect(budget.inFlight).toBe(8 * MiB);
    const next = budget.admit(post(100 * 1024), 8 * MiB);
    expect(next).toBeInstanceOf(Promise);
    unknown();
    (await next)();
    expect(budget.inFlight).toBe(0);
  });
});
