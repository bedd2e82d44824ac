/** NO_FACE_DETECTED for an image the operation needs one face of. */
import { DomainError } from '../../domain/errors.js';

/** NO_FACE_DETECTED for image field `field` (e.g. "image", "sourceImage"). */
export function noFaceDetected(field: string): DomainError {
  return new DomainError('NO_FACE_DETECTED', `${field}: expected an image with at least one face Azure AI Face detects, got none`, {
    field,
  });
}
