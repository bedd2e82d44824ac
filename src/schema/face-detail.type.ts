/**
 * FaceDetail: a face found in an image with the attributes asked for
 * (Rekognition's FaceDetail), and its parts. Built from the domain's
 * FaceDetailRecord; what the provider could not give, or nobody asked for,
 * is null.
 */
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { BooleanAttributeRecord, FaceDetailRecord } from '../domain/face-details.js';
import { BoundingBox } from './bounding-box.type.js';
import { EmotionType, Gender, LandmarkType, RecognitionQuality } from './face-details.enums.js';

@ObjectType({ simpleResolvers: true, description: "x, y: ratios of the image's width and height, 0..1." })
export class Landmark {
  @Field(() => LandmarkType) type!: LandmarkType;
  @Field(() => Float) x!: number;
  @Field(() => Float) y!: number;
}

@ObjectType({ simpleResolvers: true, description: 'Degrees.' })
export class Pose {
  @Field(() => Float) roll!: number;
  @Field(() => Float) yaw!: number;
  @Field(() => Float) pitch!: number;
}

@ObjectType({ simpleResolvers: true })
export class FaceQuality {
  @Field(() => Float, { nullable: true, description: '0..100 (Azure: from exposure).' })
  brightness!: number | null;

  @Field(() => Float, { nullable: true, description: '0..100 (Azure: from blur).' })
  sharpness!: number | null;

  @Field(() => RecognitionQuality, {
    description: "Good enough to index or search with: Azure's qualityForRecognition, or derived from the above.",
  })
  forRecognition!: RecognitionQuality;
}

@ObjectType({ simpleResolvers: true })
export class AgeRange {
  @Field(() => Int) low!: number;
  @Field(() => Int) high!: number;
}

@ObjectType({ simpleResolvers: true, description: 'value with its confidence 0..100.' })
export class BooleanAttribute {
  @Field() value!: boolean;
  @Field(() => Float) confidence!: number;
}

@ObjectType({ simpleResolvers: true })
export class GenderAttribute {
  @Field(() => Gender) value!: Gender;
  @Field(() => Float) confidence!: number;
}

@ObjectType({ simpleResolvers: true })
export class Emotion {
  @Field(() => EmotionType) type!: EmotionType;
  @Field(() => Float) confidence!: number;
}

@ObjectType({ simpleResolvers: true, description: 'A passive liveness hint, not a certified presentation-attack check.' })
export class Liveness {
  @Field(() => Float, { description: '0..100.' }) score!: number;
  @Field({ description: 'score ≥ 50.' }) isLive!: boolean;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A face found in an image. Fields of attributes not requested, or that the provider cannot give, are null.',
})
export class FaceDetail {
  @Field(() => BoundingBox) boundingBox!: BoundingBox;
  @Field(() => Float) confidence!: number;
  @Field(() => [Landmark], { nullable: true }) landmarks!: Landmark[] | null;
  @Field(() => Pose, { nullable: true }) pose!: Pose | null;
  @Field(() => FaceQuality, { nullable: true }) quality!: FaceQuality | null;
  @Field(() => AgeRange, { nullable: true }) ageRange!: AgeRange | null;
  @Field(() => GenderAttribute, { nullable: true }) gender!: GenderAttribute | null;
  @Field(() => [Emotion], { nullable: true, description: 'Highest confidence first.' }) emotions!: Emotion[] | null;
  @Field(() => BooleanAttribute, { nullable: true }) smile!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) eyeglasses!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) sunglasses!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) eyesOpen!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) mouthOpen!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) beard!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) mustache!: BooleanAttribute | null;
  @Field(() => BooleanAttribute, { nullable: true }) faceOccluded!: BooleanAttribute | null;
  @Field(() => Liveness, { nullable: true }) liveness!: Liveness | null;

  /** The view of a record; absent attributes become null. */
  static from(r: FaceDetailRecord): FaceDetail {
    const yes = (a: BooleanAttributeRecord | null | undefined) => a ?? null;
    return Object.assign(new FaceDetail(), {
      boundingBox: r.boundingBox,
      confidence: r.confidence,
      landmarks: r.landmarks,
      pose: r.pose,
      quality: r.quality,
      ageRange: r.ageRange ?? null,
      gender: r.gender ?? null,
      emotions: r.emotions ?? null,
      smile: yes(r.smile),
      eyeglasses: yes(r.eyeglasses),
      sunglasses: yes(r.sunglasses),
      eyesOpen: yes(r.eyesOpen),
      mouthOpen: yes(r.mouthOpen),
      beard: yes(r.beard),
      mustache: yes(r.mustache),
      faceOccluded: yes(r.faceOccluded),
      liveness: r.liveness ?? null,
    });
  }
}
