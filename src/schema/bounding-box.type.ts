import { Field, Float, ObjectType } from 'type-graphql';

/** Ratios of the source image's width and height, 0..1. */
@ObjectType({ simpleResolvers: true })
export class BoundingBox {
  @Field(() => Float) left!: number;
  @Field(() => Float) top!: number;
  @Field(() => Float) width!: number;
  @Field(() => Float) height!: number;
}
