/**
 * searchUsers (Rekognition SearchUsers: users like a user, or like an
 * indexed face) is refused with UNSUPPORTED_OPERATION and not advertised.
 * Azure AI Face v1.2 has no call that compares a person with persons:
 * identify takes detect faceIds only, so "users like user U" could only be
 * emulated by identifying each of U's faces again and merging the answers
 * — a different similarity from Rekognition's user vector, so a lossy
 * emulation the contract forbids. By face id it would be identify of the
 * face detected again in its retained image, i.e. searchUsersByImage; the
 * capability covers both forms, so neither is offered.
 */
import type { AdapterDeps } from './adapter-deps.js';
import { unsupported } from './refusals.js';

export function searchUsers(deps: AdapterDeps): Promise<never> {
  return Promise.reject(
    unsupported(
      deps.name,
      'searchUsers is not supported: Azure AI Face has no user-to-user comparison (identify takes detected faces only); use searchUsersByImage or identifyFaces',
      'SearchUsers',
    ),
  );
}
