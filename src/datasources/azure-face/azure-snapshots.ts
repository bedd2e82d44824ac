/**
 * Azure's own Snapshot API (v1.0, providers.md §B.3), for an instance
 * configured with `snapshotApi: "v1.0"`: a collection's LargePersonGroup
 * and its companion LargeFaceList are each taken into an Azure snapshot and
 * applied (mode CreateNew) to a new id, with training results and all ids
 * kept. Take and Apply answer 202 + Operation-Location; the operation is
 * polled until it succeeds or fails, each status change reported as
 * progress. The Azure snapshot ids are kept in the gateway store as a
 * provider record of the gateway snapshot (they outlive the source
 * collection, so they are not scoped to it). Azure deletes snapshots 48
 * hours after their take: an apply of an older one is SNAPSHOT_EXPIRED.
 */
import { DomainError } from '../../domain/errors.js';
import type { Store } from '../../store/store.js';
import type { CallOptions } from '../provider.js';
import { hasCode, toDomainError, type CallContext } from './errors.js';
import type { SnapshotOperationOut } from './face-api-shapes.js';
import type { FaceTransport } from './transport.js';
import { AZURE_SNAPSHOT_LIFETIME_MS } from './limits.js';

/** How long Azure keeps a snapshot after its take. */
export { AZURE_SNAPSHOT_LIFETIME_MS };
const KIND = 'azure-face.snapshot';
/** Takes Azure accepted inside a takeSnapshot request, not yet followed to their end (a {@link StartedTake} each). */
const PENDING_KIND = 'azure-face.snapshot-take';
/** Records of this kind belong to no collection. */
const PROVIDER_WIDE = '';

/** Where a gateway snapshot's Azure copies are. */
export interface AzureSnapshotRecord {
  /** The Azure snapshot of the LargePersonGroup. */
  group: string;
  /** The Azure snapshot of the companion LargeFaceList; null when the collection had none. */
  list: string | null;
  /** When the take started (ms): Azure's 48 hours count from about then. */
  takenAt: number;
  /** The collection taken (absent in records written before it was kept): what an erasure of that collection deletes. */
  collectionId?: string;
}

export interface AzureSnapshotOptions {
  api: FaceTransport;
  store: Store;
  provider: string;
  /** The Azure subscription allowed to apply the snapshots (applyScope). */
  subscriptionId: string;
  pollMs: number;
  /** How long a take or apply is followed (`snapshotTimeoutMs`, not the training's). */
  timeoutMs: number;
  now: () => number;
}

/** Takes Azure accepted, to be followed by {@link AzureSnapshots.finishTake}. */
export interface StartedTake {
  collectionId: string;
  gatewaySnapshotId: string;
  /** When the takes were asked for (ms): Azure's 48 hours count from about then. */
  takenAt: number;
  /** Azure operation ids: the group's, then the list's. */
  operations: string[];
}

/** Units of progress an Azure operation is worth: notstarted 0, running 1, done 2. */
const UNITS_PER_OPERATION = 2;

export class AzureSnapshots {
  constructor(private readonly o: AzureSnapshotOptions) {}

  /** Progress units {@link take} and {@link apply} report for `operations` Azure operations. */
  static units(operations: number): number {
    return operations * UNITS_PER_OPERATION;
  }

  /**
   * Starts the takes of the group (and list) of `collectionId`: resolves
   * once Azure accepted them (202), so the caller may release the
   * collection's lock then. Two takes, not one: Azure's Take names one
   * container (`type` + `objectId`). Each carries `userData` naming the
   * gateway snapshot and the collection, so an Azure snapshot listing says
   * whose it is. `call`: what the take is made for (a snapshot job passes none).
   * Azure's applyScope is the configured subscriptionId and `shareWith`
   * (other Face subscriptions, GUIDs): Azure lets only those apply the copy.
   */
  async startTake(
    collectionId: string,
    hasFaceList: boolean,
    gatewaySnapshotId: string,
    shareWith: readonly string[],
    call: CallOptions | undefined,
  ): Promise<StartedTake> {
    const applyScope = [...new Set([this.o.subscriptionId.toLowerCase(), ...shareWith.map((s) => s.toLowerCase())])];
    const ctx: CallContext = { provider: this.o.provider, collectionId };
    const takenAt = this.o.now();
    const userData = JSON.stringify({ facegateSnapshotId: gatewaySnapshotId, collectionId });
    const operations = await this.mapped(ctx, async () => {
      const group = await this.o.api.takeSnapshot('LargePersonGroup', collectionId, applyScope, userData, call);
      const list = hasFaceList ? await this.o.api.takeSnapshot('LargeFaceList', collectionId, applyScope, userData, call) : null;
      return list === null ? [group] : [group, list];
    });
    return { collectionId, gatewaySnapshotId, takenAt, operations };
  }

  /**
   * {@link startTake}, inside the takeSnapshot request (before any gateway
   * operation exists): a take Azure refuses (QUOTA_EXCEEDED, THROTTLED once
   * the transport's retries are spent) is the request's answer and leaves
   * nothing in the gateway. The accepted takes are recorded under the
   * gateway snapshot for the take job to follow ({@link pendingTake}).
   */
  async submitTake(
    collectionId: string,
    hasFaceList: boolean,
    gatewaySnapshotId: string,
    shareWith: readonly string[],
    call: CallOptions | undefined,
  ): Promise<void> {
    const started = await this.startTake(collectionId, hasFaceList, gatewaySnapshotId, shareWith, call);
    await this.o.store.transaction((tx) =>
      tx.putProviderRecords(this.scope(), PENDING_KIND, [{ key: gatewaySnapshotId, value: JSON.stringify(started) }], new Date()),
    );
  }

  /** The takes {@link submitTake} recorded for a gateway snapshot, or null (none submitted, or already finished). */
  async pendingTake(gatewaySnapshotId: string): Promise<StartedTake | null> {
    const value = await this.o.store.getProviderRecord(this.scope(), PENDING_KIND, gatewaySnapshotId);
    return value === null ? null : (JSON.parse(value) as StartedTake);
  }

  /**
   * Follows a started take until Azure finished it and records the Azure
   * snapshots under the gateway snapshot. `progress(done)` is called on
   * each status change with the units done so far.
   */
  async finishTake(started: StartedTake, progress: (done: number) => void | Promise<void>, call: CallOptions | undefined): Promise<void> {
    const { collectionId, gatewaySnapshotId, takenAt } = started;
    const ctx: CallContext = { provider: this.o.provider, collectionId };
    const done = await this.follow(ctx, started.operations, progress, 'take', call);
    const [group, list] = done.map((op) => {
      const id = /\/snapshots\/([^/?]+)/.exec(op.resourceLocation ?? '')?.[1];
      if (!id)
        throw this.unavailable(
          ctx,
          `expected a succeeded take to name its snapshot in resourceLocation, got ${JSON.stringify(op.resourceLocation ?? null)}`,
        );
      return id;
    });
    const record: AzureSnapshotRecord = { group, list: list ?? null, takenAt, collectionId };
    await this.o.store.transaction(async (tx) => {
      await tx.putProviderRecords(this.scope(), KIND, [{ key: gatewaySnapshotId, value: JSON.stringify(record) }], new Date());
      await tx.deleteProviderRecords(this.scope(), PENDING_KIND, [gatewaySnapshotId]);
    });
    await this.pruneExpired();
  }

  /**
   * Deletes Azure's copies of a gateway snapshot (both takes) and the record
   * of them; a copy Azure already dropped (expired) counts as deleted.
   * Nothing to do for a gateway-native snapshot.
   */
  async delete(gatewaySnapshotId: string, call: CallOptions | undefined): Promise<void> {
    const record = await this.recordOf(gatewaySnapshotId);
    if (!record) return;
    const ctx: CallContext = { provider: this.o.provider };
    for (const id of [record.group, record.list]) {
      if (id === null) continue;
      await this.mapped(ctx, async () => {
        try {
          await this.o.api.deleteSnapshot(id, call);
        } catch (e) {
          if (!hasCode(e, 'SnapshotNotFound')) throw e;
        }
      });
    }
    await this.o.store.transaction((tx) => tx.deleteProviderRecords(this.scope(), KIND, [gatewaySnapshotId]));
  }

  /**
   * Deletes Azure's copies of every gateway snapshot taken of `collectionId`
   * (an erasure: deleteCollection with deleteSnapshots), each as
   * {@link delete}. Works from this instance's records, not the gateway's
   * snapshot rows, so a retry after a failure part-way finds the copies left.
   */
  async deleteOf(collectionId: string, call: CallOptions | undefined): Promise<void> {
    const keys: string[] = [];
    for (let after: string | null = null; ;) {
      const page = await this.o.store.listProviderRecords(this.scope(), KIND, after, 500);
      for (const r of page) if ((JSON.parse(r.value) as AzureSnapshotRecord).collectionId === collectionId) keys.push(r.key);
      if (page.length < 500) break;
      after = page[page.length - 1].key;
    }
    for (const key of keys) await this.delete(key, call);
  }

  /**
   * Forgets records of snapshots Azure has deleted by now (48 h after their
   * take), and of submitted takes as old whose job never followed them (the
   * gateway's own insert failed after Azure accepted them).
   */
  private async pruneExpired(): Promise<void> {
    for (const kind of [KIND, PENDING_KIND]) {
      const expired: string[] = [];
      for (let after: string | null = null; ;) {
        const page = await this.o.store.listProviderRecords(this.scope(), kind, after, 500);
        for (const r of page)
          if ((JSON.parse(r.value) as { takenAt: number }).takenAt + AZURE_SNAPSHOT_LIFETIME_MS < this.o.now()) expired.push(r.key);
        if (page.length < 500) break;
        after = page[page.length - 1].key;
      }
      if (expired.length > 0) await this.o.store.transaction((tx) => tx.deleteProviderRecords(this.scope(), kind, expired));
    }
  }

  /** The Azure snapshots recorded for a gateway snapshot, or null (a gateway-native snapshot). */
  async recordOf(gatewaySnapshotId: string): Promise<AzureSnapshotRecord | null> {
    const value = await this.o.store.getProviderRecord(this.scope(), KIND, gatewaySnapshotId);
    return value === null ? null : (JSON.parse(value) as AzureSnapshotRecord);
  }

  /** Throws SNAPSHOT_EXPIRED when Azure no longer has the group's snapshot. */
  async check(gatewaySnapshotId: string, record: AzureSnapshotRecord, call: CallOptions | undefined): Promise<void> {
    const ctx: CallContext = { provider: this.o.provider };
    await this.mapped(ctx, () => this.o.api.getSnapshot(record.group, call), gatewaySnapshotId, record);
  }

  /** Applies the recorded snapshots to a new collection `target` (CreateNew), reporting progress units. */
  async apply(
    gatewaySnapshotId: string,
    record: AzureSnapshotRecord,
    target: string,
    progress: (done: number) => void | Promise<void>,
    call: CallOptions | undefined,
  ): Promise<void> {
    const ctx: CallContext = { provider: this.o.provider, collectionId: target };
    const started = await this.mapped(
      ctx,
      async () => {
        const group = await this.o.api.applySnapshot(record.group, target, call);
        const list = record.list === null ? null : await this.o.api.applySnapshot(record.list, target, call);
        return list === null ? [group] : [group, list];
      },
      gatewaySnapshotId,
      record,
    );
    await this.follow(ctx, started, progress, 'apply', call);
  }

  /** Polls operations until all succeeded; throws on a failed one or after `timeoutMs`. */
  private async follow(
    ctx: CallContext,
    operationIds: string[],
    progress: (done: number) => void | Promise<void>,
    what: string,
    call: CallOptions | undefined,
  ): Promise<SnapshotOperationOut[]> {
    const deadline = this.o.now() + this.o.timeoutMs;
    const states: (SnapshotOperationOut | null)[] = operationIds.map(() => null);
    let reported = -1;
    for (;;) {
      for (const [i, id] of operationIds.entries()) {
        if (states[i]?.status === 'succeeded') continue;
        const state = await this.mapped(ctx, () => this.o.api.getSnapshotOperation(id, call));
        if (state.status === 'failed')
          throw this.unavailable(
            ctx,
            `expected the snapshot ${what} (operation ${id}) to succeed, got failed`,
            // Azure's own words on why, for the logs only.
            state.message ? new Error(state.message) : undefined,
          );
        states[i] = state;
      }
      const done = states.reduce((n, s) => n + (s?.status === 'succeeded' ? 2 : s?.status === 'running' ? 1 : 0), 0);
      if (done !== reported) await progress((reported = done));
      if (states.every((s) => s?.status === 'succeeded')) return states as SnapshotOperationOut[];
      if (this.o.now() >= deadline)
        throw this.unavailable(ctx, `expected the snapshot ${what} to finish within ${this.o.timeoutMs} ms, got it still running`);
      await new Promise<void>((resolve) => setTimeout(resolve, this.o.pollMs).unref());
    }
  }

  /** Runs Azure calls with failures mapped; a vanished snapshot of `record` is SNAPSHOT_EXPIRED. */
  private async mapped<T>(ctx: CallContext, fn: () => Promise<T>, gatewaySnapshotId?: string, record?: AzureSnapshotRecord): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (record && gatewaySnapshotId && hasCode(e, 'SnapshotNotFound')) {
        const expiredAt = new Date(record.takenAt + AZURE_SNAPSHOT_LIFETIME_MS);
        throw new DomainError(
          'SNAPSHOT_EXPIRED',
          `snapshot ${gatewaySnapshotId}: expected Azure AI Face to still hold its copy (kept 48 hours after the take, until about ${expiredAt.toISOString()}), got none`,
          { snapshotId: gatewaySnapshotId, expiredAt, provider: this.o.provider, providerCode: 'SnapshotNotFound' },
        );
      }
      throw toDomainError(e, ctx);
    }
  }

  private unavailable(ctx: CallContext, detail: string, cause?: Error): DomainError {
    return new DomainError(
      'PROVIDER_UNAVAILABLE',
      `Azure AI Face snapshot API of provider "${this.o.provider}": ${detail}`,
      { provider: this.o.provider, collectionId: ctx.collectionId },
      cause,
    );
  }

  private scope() {
    return { provider: this.o.provider, collectionId: PROVIDER_WIDE };
  }
}
