import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { Collection } from '../schema/collection.type.js';
import { Operation } from '../schema/operation.type.js';
import { TrainCollectionInput } from '../schema/training.inputs.js';
import { TrainCollectionAccepted, TrainCollectionMembers, TrainCollectionResult } from '../schema/training.results.js';
import { resolveRef } from './providers.js';
import { resultOf } from './result.js';

@Resolver(() => Collection)
export class TrainingResolver {
  @Mutation(() => TrainCollectionResult)
  trainCollection(@Arg('input') input: TrainCollectionInput, @Ctx() ctx: GatewayContext): Promise<typeof TrainCollectionResult> {
    return resultOf(TrainCollectionMembers, async () => {
      const { provider, collectionId } = resolveRef(ctx, input.collection, 'input.collection');
      const op = await ctx.snapshots.trainCollection(ctx.tenant, { provider: provider.name, collectionId }, ctx);
      return Object.assign(new TrainCollectionAccepted(), { operation: Operation.from(op) });
    });
  }

  @FieldResolver(() => Operation, {
    nullable: true,
    description:
      'The latest training (TRAIN_COLLECTION operation) this gateway process started for the collection, automatic or requested; null if none.',
  })
  async training(@Root() root: Collection, @Ctx() ctx: GatewayContext): Promise<Operation | null> {
    const id = ctx.snapshots.trainings.latestOf({ provider: root.providerName, collectionId: root.collectionId });
    const record = id ? await ctx.snapshots.getOperation(ctx.tenant, id) : null;
    return record ? Operation.from(record) : null;
  }
}
