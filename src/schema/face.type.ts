import { Field, Float, ObjectType } from 'type-graphql';
import type { FaceRecord } from '../domain/records.js';
import { BoundingBox } from './bounding-box.type.js';
import { defineGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

/** An indexed face; it may belong to no user until associated. */
@ObjectType({ implements: Node, simpleResolvers: true })
export class Face extends Node {
  providerName!: string;
  collectionId!: string;
  /** The owning user's id, resolved to `user` by the face resolver. */
  userId!: string | null;

  @Field()
  faceId!: string;

  @Field(() => String, { nullable: true })
  externalImageId!: string | null;

  @Field(() => BoundingBox, { nullable: true, description: "Ratios of the source image's width and height, 0..1." })
  boundingBox!: BoundingBox | null;

  @Field(() => Float, { nullable: true })
  confidence!: number | null;

  @Field(() => Date, { nullable: true })
  indexedAt!: Date | null;

  static from(providerName: string, r: FaceRecord): Face {
    return Object.assign(new Face(), {
      providerName,
      collectionId: r.collectionId,
      userId: r.userId,
      faceId: r.faceId,
      externalImageId: r.externalImageId,
      boundingBox: r.boundingBox,
      confidence: r.confidence,
      indexedAt: r.indexedAt,
    });
  }
}

defineGlobalId(Face, 'Face', (f) => [f.providerName, f.collectionId, f.faceId]);
