/**
 * identifyFaces on Rekognition, which has no call for it: DetectFaces on the
 * image, then SearchUsersByImage for each of the `maxFaces` largest
 * faces: the largest on the image itself (Rekognition searches an image's
 * largest face), every other on a padded crop (face-crops.ts). Every similarity is
 * Rekognition's (its user vectors, as searchUsersByImage). Cost: 1
 * DetectFaces + 1 SearchUsersByImage per searched face (`concurrency` at a
 * time); a face whose crop Rekognition does not search (no face found in
 * it, or under the quality bar) is unsearched, and so is one whose crop
 * Rekognition answered for another face (a neighbour in the padding, when
 * ours is under the bar): the searched face must be ours (lib/box-match.ts).
 */
import { DomainError } from '../../domain/errors.js';
import type { FaceDetailRecord } from '../../domain/face-details.js';
import { mapLimit } from '../../lib/map-limit.js';
import type { CallOptions, IdentifyFacesInput, IdentifyFacesOutcome } from '../provider.js';
import { detectFaceDetails } from './detect-faces.js';
import { faceAtBox } from '../../lib/box-match.js';
import { cropFace, inImage } from './face-crops.js';
import { box } from './records.js';
import { byAreaDescending } from './face-detail.js';
import type { RekognitionDeps } from './rekognition-deps.js';
import { sendSearchUsersByImage, userMatchesOf } from './search.js';

/** identifyFaces (see the module comment); QualityFilter (@default NONE) is Rekognition's, on each crop. */
export async function identifyFaces(deps: RekognitionDeps, input: IdentifyFacesInput, call?: CallOptions): Promise<IdentifyFacesOutcome> {
  const { collectionId } = input;
  const detected = await detectFaceDetails(deps, input.image, undefined, call, 'image');
  const searched = detected.slice(0, input.maxFaces);
  if (searched.length === 0 && !(await deps.calls.collectionExists(collectionId, call))) {
    throw new DomainError(
      'COLLECTION_NOT_FOUND',
      `Collection "${collectionId}" not found in provider "${deps.calls.name}": expected an existing collection id, got an unknown one`,
      { collectionId, provider: deps.calls.name, operation: 'DescribeCollection' },
    );
  }
  const whole = { bytes: input.image, region: { left: 0, top: 0, width: 1, height: 1 } };
  const results = await mapLimit(searched, deps.concurrency, async (face) => {
    const crop = face === searched[0] ? whole : await cropFace(input.image, face.boundingBox);
    const out = await sendSearchUsersByImage(
      deps,
      {
        collectionId,
        image: crop.bytes,
        userMatchThreshold: input.userMatchThreshold,
        maxUsers: input.maxUsersPerFace,
        qualityFilter: input.qualityFilter,
      },
      call,
      // A crop is the adapter's, cut from the client's image; MaxUsers is maxUsersPerFace.
      { image: 'input.image', maxUsers: 'input.maxUsersPerFace' },
    );
    const seen = box(out.SearchedFace?.FaceDetail?.BoundingBox);
    if (!seen || !faceAtBox([inImage(crop.region, seen)], face.boundingBox, (b) => b)) return null;
    return { face, userMatches: userMatchesOf(collectionId, out.UserMatches) };
  });
  const unsearched: FaceDetailRecord[] = detected.slice(input.maxFaces);
  results.forEach((r, i) => {
    if (r === null) unsearched.push(searched[i]);
  });
  return { faces: results.flatMap((r) => (r ? [r] : [])), unsearchedFaces: unsearched.sort(byAreaDescending) };
}
