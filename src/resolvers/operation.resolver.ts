import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { DomainError } from '../domain/errors.js';
import type { OperationRecord } from '../domain/operation-records.js';
import { Collection } from '../schema/collection.type.js';
import { fromGlobalId } from '../domain/global-id.js';
import { Operation } from '../schema/operation.type.js';
import { SnapshotProgress } from '../schema/snapshot-progress.type.js';
import { Snapshot } from '../schema/snapshot.type.js';

/** The operation uuid in an Operation global id, or null. */
function operationUuid(id: string): string | null {
  const ref = fromGlobalId(id);
  return ref?.type === 'Operation' && ref.parts.length === 1 ? ref.parts[0] : null;
}

async function snapshotOf(ctx: GatewayContext, record: OperationRecord): Promise<Snapshot | null> {
  if (!record.snapshotId) return null;
  const s = await ctx.snapshots.getSnapshot(ctx.tenant, record.snapshotId);
  return s ? Snapshot.from(s) : null;
}

@Resolver(() => Operation)
export class OperationResolver {
  @Query(() => Operation, { nullable: true })
  async operation(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Operation | null> {
    const uuid = operationUuid(id);
    const record = uuid ? await ctx.snapshots.getOperation(ctx.tenant, uuid) : null;
    return record ? Operation.from(record) : null;
  }

  @FieldResolver(() => Snapshot, { nullable: true })
  snapshot(@Root() root: Operation, @Ctx() ctx: GatewayContext): Promise<Snapshot | null> {
    return snapshotOf(ctx, root.record);
  }

  @FieldResolver(() => Collection, { nullable: true, description: 'For APPLY_SNAPSHOT: the collection created (null until it exists).' })
  async targetCollection(@Root() root: Operation, @Ctx() ctx: GatewayContext): Promise<Collection | null> {
    const target = root.record.target;
    if (!target) return null;
    const record = await ctx.loaders.collection.load(target);
    return record ? Collection.from(target.provider, record) : null;
  }

  @Subscription(() => SnapshotProgress, {
    description: 'Progress of a snapshot operation: the current state first, then each change; completes after SUCCEEDED or FAILED.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { operationId: string }, GatewayContext>) => {
      const uuid = operationUuid(args.operationId);
      if (!uuid) throw new DomainError('OPERATION_NOT_FOUND', `operation ${args.operationId.slice(0, 80)} does not exist`);
      return context.snapshots.progress(context.tenant, uuid);
    },
  })
  snapshotProgress(@Root() event: OperationRecord, @Arg('operationId', () => ID) _operationId: string): SnapshotProgress {
    return SnapshotProgress.from(event);
  }
}

@Resolver(() => SnapshotProgress)
export class SnapshotProgressResolver {
  /** Loaded only when a subscriber selects it: with many subscribers, every event would otherwise cost one read each. */
  @FieldResolver(() => Snapshot, { nullable: true })
  snapshot(@Root() root: SnapshotProgress, @Ctx() ctx: GatewayContext): Promise<Snapshot | null> {
    return snapshotOf(ctx, root.record);
  }
}
