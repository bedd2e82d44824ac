import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { OperationRecord } from '../domain/operation-records.js';
import { OperationKind, OperationStatus } from './enums.js';
import { toGlobalId } from '../domain/global-id.js';

/** One event per state change; the first event is the current state; the stream completes after SUCCEEDED or FAILED. */
@ObjectType({
  description: 'One event per state change; the first event is the current state; the stream completes after SUCCEEDED or FAILED.',
})
export class SnapshotProgress {
  @Field(() => ID)
  operationId!: string;

  @Field(() => OperationKind)
  kind!: OperationKind;

  @Field(() => OperationStatus)
  status!: OperationStatus;

  @Field(() => Float)
  percent!: number;

  @Field(() => Int)
  processedItems!: number;

  @Field(() => Int, { nullable: true })
  totalItems!: number | null;

  /** The operation's record; `snapshot` is resolved from it only when selected. */
  record!: OperationRecord;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field()
  at!: Date;

  static from(r: OperationRecord): SnapshotProgress {
    return Object.assign(new SnapshotProgress(), {
      record: r,
      operationId: toGlobalId('Operation', r.id),
      kind: r.kind,
      status: r.status,
      percent: r.percent,
      processedItems: r.processedItems,
      totalItems: r.totalItems,
      message: r.message,
      at: r.lastActionAt,
    });
  }
}
