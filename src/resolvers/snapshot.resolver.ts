import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Connection } from '../schema/connection.types.js';
import { SnapshotConnection } from '../schema/connections.js';
import { fromGlobalId } from '../domain/global-id.js';
import { Operation } from '../schema/operation.type.js';
import { ApplySnapshotInput, DeleteSnapshotInput, TakeSnapshotInput } from '../schema/snapshot.inputs.js';
import {
  ApplySnapshotAccepted,
  ApplySnapshotMembers,
  ApplySnapshotResult,
  DeleteSnapshotMembers,
  DeleteSnapshotResult,
  DeleteSnapshotSuccess,
  TakeSnapshotAccepted,
  TakeSnapshotMembers,
  TakeSnapshotResult,
} from '../schema/snapshot.results.js';
import { Snapshot } from '../schema/snapshot.type.js';
import { checkApplyScope, checkSubscriptionIds, checkUserData } from '../domain/validation.js';
import { paginate } from './pagination.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

/** The snapshot uuid inside a Snapshot global id; SNAPSHOT_NOT_FOUND for anything else. */
export function snapshotUuid(id: string): string {
  const ref = fromGlobalId(id);
  if (ref?.type !== 'Snapshot' || ref.parts.length !== 1) {
    throw new DomainError('SNAPSHOT_NOT_FOUND', `snapshot ${id.slice(0, 80)} does not exist`, { snapshotId: id.slice(0, 80) });
  }
  return ref.parts[0];
}

/** Runs `work`, reporting snapshot errors with the id the caller sent (the global id), not the internal one. */
async function reportingSnapshotId<T>(snapshotId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (isDomainError(e) && e.details.snapshotId !== undefined) e.details.snapshotId = snapshotId;
    throw e;
  }
}

@Resolver(() => Snapshot)
export class SnapshotResolver {
  @Query(() => Snapshot, { nullable: true })
  async snapshot(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Snapshot | null> {
    const ref = fromGlobalId(id);
    if (ref?.type !== 'Snapshot') return null;
    const record = await ctx.snapshots.getSnapshot(ctx.tenant, ref.parts[0]);
    return record ? Snapshot.from(record) : null;
  }

  @Query(() => SnapshotConnection)
  snapshots(
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Connection<Snapshot>> {
    return paginate(
      { first, after },
      ctx.maxPageSize,
      async ({ limit, after: token }) => {
        const rows = await ctx.snapshots.listSnapshots(ctx.tenant, { after: token ? Number(token) : null, limit: limit + 1 });
        const items = rows.slice(0, limit);
        return { items, nextToken: rows.length > limit ? String(items.at(-1)!.seq) : undefined };
      },
      (row) => Snapshot.from(row.snapshot),
    );
  }

  @Mutation(() => TakeSnapshotResult)
  takeSnapshot(@Arg('input') input: TakeSnapshotInput, @Ctx() ctx: GatewayContext): Promise<typeof TakeSnapshotResult> {
    return resultOf(TakeSnapshotMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const op = await ctx.snapshots.takeSnapshot(
        ctx.tenant,
        { provider: provider.name, collectionId },
        checkApplyScope('input.applyScope', input.applyScope),
        checkUserData('input.userData', input.userData),
        ctx,
        checkSubscriptionIds('input.azureApplyScope', input.azureApplyScope),
      );
      return Object.assign(new TakeSnapshotAccepted(), { operation: Operation.from(op) });
    });
  }

  @Mutation(() => ApplySnapshotResult)
  applySnapshot(@Arg('input') input: ApplySnapshotInput, @Ctx() ctx: GatewayContext): Promise<typeof ApplySnapshotResult> {
    return resultOf(ApplySnapshotMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.target, 'input.target');
      const target = { provider: provider.name, collectionId };
      const op = await reportingSnapshotId(input.snapshotId, () =>
        ctx.snapshots.applySnapshot(ctx.tenant, snapshotUuid(input.snapshotId), target, ctx),
      );
      return Object.assign(new ApplySnapshotAccepted(), { operation: Operation.from(op) });
    });
  }

  @Mutation(() => DeleteSnapshotResult)
  deleteSnapshot(@Arg('input') input: DeleteSnapshotInput, @Ctx() ctx: GatewayContext): Promise<typeof DeleteSnapshotResult> {
    return resultOf(DeleteSnapshotMembers, async () => {
      await reportingSnapshotId(input.snapshotId, () => ctx.snapshots.deleteSnapshot(ctx.tenant, snapshotUuid(input.snapshotId)));
      return Object.assign(new DeleteSnapshotSuccess(), { snapshotId: input.snapshotId });
    });
  }
}
