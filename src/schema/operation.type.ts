import { Field, Float, ObjectType } from 'type-graphql';
import type { OperationRecord } from '../domain/operation-records.js';
import { OperationKind, OperationStatus } from './enums.js';
import { toGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

/** Long-running work (snapshot take/apply), followed with `snapshotProgress`. */
@ObjectType({ implements: Node })
export class Operation extends Node {
  /** Domain record; `snapshot` and `targetCollection` resolve from it. */
  record!: OperationRecord;

  @Field(() => OperationKind)
  kind!: OperationKind;

  @Field(() => OperationStatus)
  status!: OperationStatus;

  @Field(() => Float, { description: '0..100' })
  percent!: number;

  @Field()
  createdAt!: Date;

  @Field()
  lastActionAt!: Date;

  @Field(() => String, { nullable: true })
  message!: string | null;

  static from(r: OperationRecord): Operation {
    return Object.assign(new Operation(), {
      id: toGlobalId('Operation', r.id),
      record: r,
      kind: r.kind,
      status: r.status,
      percent: r.percent,
      createdAt: r.createdAt,
      lastActionAt: r.lastActionAt,
      message: r.message,
    });
  }
}
