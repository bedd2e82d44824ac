/**
 * CompareFaces on Rekognition: one call. Rekognition answers "If no faces
 * are detected in the source or target images, CompareFaces returns an
 * InvalidParameterException error"; the contract refuses only a source
 * without a face (a target without one is simply no match), so on that
 * answer alone the adapter asks DetectFaces which image it was: one
 * DetectFaces of the source (none → NO_FACE_DETECTED on `sourceImage`), then
 * one of the target (none → empty lists). Cost: 1 CompareFaces, plus up to
 * 2 DetectFaces only when Rekognition found no face.
 */
import { CompareFacesCommand } from '@aws-sdk/client-rekognition';
import { boxOnlyFaceDetail } from '../../domain/face-details.js';
import { DomainError } from '../../domain/errors.js';
import type { CallOptions, CompareFacesInput, CompareFacesOutcome } from '../provider.js';
import { detectFaceDetails } from './detect-faces.js';
import { faceDetailRecord } from './face-detail.js';
import { box } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/**
 * CompareFaces with SimilarityThreshold and QualityFilter passed through.
 * `sourceFace` has its box and confidence only (SourceImageFace carries no
 * more); target faces carry landmarks, pose and quality (ComparedFace).
 */
export async function compareFaces(deps: RekognitionDeps, input: CompareFacesInput, call?: CallOptions): Promise<CompareFacesOutcome> {
  const { calls } = deps;
  const sourceImage = calls.image('sourceImage', input.sourceImage);
  const targetImage = calls.image('targetImage', input.targetImage);
  try {
    const out = await calls.run(calls.context('CompareFaces', { invalidParameter: 'no-face', field: 'sourceImage' }), call, (o) =>
      calls.client.send(
        new CompareFacesCommand({
          SourceImage: sourceImage,
          TargetImage: targetImage,
          SimilarityThreshold: input.similarityThreshold,
          QualityFilter: input.qualityFilter,
        }),
        o,
      ),
    );
    const source = out.SourceImageFace;
    return {
      sourceFace: boxOnlyFaceDetail(box(source?.BoundingBox) ?? { left: 0, top: 0, width: 0, height: 0 }, source?.Confidence ?? 0),
      faceMatches: (out.FaceMatches ?? [])
        .map((m) => ({ similarity: m.Similarity ?? 0, face: faceDetailRecord(m.Face) }))
        .sort((a, b) => b.similarity - a.similarity),
      unmatchedFaces: (out.UnmatchedFaces ?? []).map(faceDetailRecord),
    };
  } catch (e) {
    if (!(e instanceof DomainError) || e.code !== 'NO_FACE_DETECTED') throw e;
    const sources = await detectFaceDetails(deps, input.sourceImage, undefined, call, 'sourceImage');
    if (sources.length === 0) throw e;
    const targets = await detectFaceDetails(deps, input.targetImage, undefined, call, 'targetImage');
    if (targets.length > 0) throw e;
    return { sourceFace: sources[0], faceMatches: [], unmatchedFaces: [] };
  }
}
