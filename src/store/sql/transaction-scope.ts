/**
 * Knows whether async work runs inside a store transaction's callback, so a
 * nested `transaction()` (which would queue behind itself forever) is
 * refused instead of hanging.
 *
 * Why not a plain AsyncLocalStorage: on Node 20 an enabled
 * AsyncLocalStorage installs a promise hook that runs on every promise the
 * process creates, and stays on forever after the first `run()`. That cost
 * every GraphQL request paid for the first write. This scope keeps the
 * storage enabled only while at least one transaction callback is running;
 * the read path, which never opens a transaction, runs without the hook.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class TransactionScope {
  private readonly storage = new AsyncLocalStorage<true>();
  private running = 0;

  /** True when called from inside a running transaction callback. */
  get active(): boolean {
    return this.running > 0 && this.storage.getStore() === true;
  }

  /** Runs `fn` marked as inside a transaction. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await this.storage.run(true, fn);
    } finally {
      // Continuations spawned by the callback that outlive it see no scope
      // once the storage is disabled: they are not inside the transaction.
      if (--this.running === 0) this.storage.disable();
    }
  }
}
