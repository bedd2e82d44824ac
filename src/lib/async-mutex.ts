/**
 * A FIFO mutex for async critical sections: the store's single writer
 * connection can only hold one transaction at a time, and a transaction's
 * callback may await, so callers queue here instead of interleaving.
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Callers queued or holding the lock. */
  get pending(): number {
    return this.waiting;
  }

  /** Resolves with a `release` function once every earlier caller has released. */
  acquire(): Promise<() => void> {
    this.waiting++;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = () => {
        this.waiting--;
        resolve();
      };
    });
    const ready = this.tail.then(() => once(release));
    this.tail = held;
    return ready;
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
