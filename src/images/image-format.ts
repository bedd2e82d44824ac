/**
 * Each provider declares the image formats it takes; an image of another
 * format is refused here, before any decode or provider call, as the
 * provider itself would refuse it (Rekognition: JPEG and PNG; Azure Face:
 * JPEG, PNG, GIF and BMP; the local engine: what sharp decodes, see
 * engine/decode.ts).
 */
import { DomainError } from '../domain/errors.js';
import { formatList, imageFormatOf, sniffFormat, type ImageFormat } from '../lib/image-format.js';

export type { ImageFormat } from '../lib/image-format.js';

/** Formats AWS Rekognition accepts in `Image.Bytes` (its ImageTooLarge/InvalidImageFormat rules). */
export const REKOGNITION_IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png'];

/**
 * Throws INVALID_IMAGE (details: field, provider) unless `image` is of one
 * of `accepted` by its magic number; returns the format.
 */
export function requireImageFormat(field: string, image: Uint8Array, accepted: readonly ImageFormat[], provider: string): ImageFormat {
  const format = imageFormatOf(image);
  if (format && accepted.includes(format)) return format;
  throw new DomainError(
    'INVALID_IMAGE',
    `${field}: expected a ${formatList(accepted)} image for provider "${provider}", got ${sniffFormat(image)}`,
    {
      field,
      provider,
    },
  );
}
