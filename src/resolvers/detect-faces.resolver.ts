/** detectFaces and compareFaces: image-only operations on a named provider instance, no collection. */
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from './context.js';
import { checkNumber } from '../domain/validation.js';
import { CompareFacesInput } from '../schema/compare-faces.inputs.js';
import { CompareFacesMembers, CompareFacesResult, CompareFacesSuccess } from '../schema/compare-faces.results.js';
import { DetectFacesInput } from '../schema/detect-faces.inputs.js';
import { DetectFacesMembers, DetectFacesResult, DetectFacesSuccess } from '../schema/detect-faces.results.js';
import { FaceDetail } from '../schema/face-detail.type.js';
import { requestedAttributes, requireCapability } from './face-options.js';
import { requireProvider } from './providers.js';
import { resultOf } from './result.js';

/** detectFaces and compareFaces. */
@Resolver()
export class DetectFacesResolver {
  @Query(() => DetectFacesResult, {
    description: 'Every face of the image (up to 100, largest first) with landmarks, pose, quality and the attributes asked for.',
  })
  detectFaces(@Arg('input') input: DetectFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof DetectFacesResult> {
    return resultOf(DetectFacesMembers, async () => {
      const provider = requireProvider(ctx, input.provider, 'input.provider');
      requireCapability(provider, 'DETECT_FACES');
      const attributes = requestedAttributes(provider, input.attributes);
      const image = await ctx.images.resolve('input.image', input.image, ctx);
      const outcome = await provider.detectFaces({ image, attributes }, ctx);
      return Object.assign(new DetectFacesSuccess(), { faces: outcome.faces.map(FaceDetail.from) });
    });
  }

  @Query(() => CompareFacesResult, {
    description: 'The largest face of sourceImage against every face of targetImage (Rekognition CompareFaces); similarity 0..100.',
  })
  compareFaces(@Arg('input') input: CompareFacesInput, @Ctx() ctx: GatewayContext): Promise<typeof CompareFacesResult> {
    return resultOf(CompareFacesMembers, async () => {
      const provider = requireProvider(ctx, input.provider, 'input.provider');
      requireCapability(provider, 'COMPARE_FACES');
      const similarityThreshold = checkNumber('input.similarityThreshold', input.similarityThreshold ?? 80, 0, 100);
      const qualityFilter = input.qualityFilter ?? 'NONE';
      const sourceImage = await ctx.images.resolve('input.sourceImage', input.sourceImage, ctx);
      const targetImage = await ctx.images.resolve('input.targetImage', input.targetImage, ctx);
      const outcome = await provider.compareFaces({ sourceImage, targetImage, similarityThreshold, qualityFilter }, ctx);
      return Object.assign(new CompareFacesSuccess(), {
        sourceFace: FaceDetail.from(outcome.sourceFace),
        faceMatches: outcome.faceMatches.map((m) => ({ similarity: m.similarity, face: FaceDetail.from(m.face) })),
        unmatchedFaces: outcome.unmatchedFaces.map(FaceDetail.from),
      });
    });
  }
}
