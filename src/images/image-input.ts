/**
 * The bytes of an ImageInput: base64 decoded here, a URL fetched by
 * safe-fetch.ts, an upload's bytes as http/multipart.ts received them. Decoding and checking the picture itself is the engine's
 * (or the provider's) work.
 */
import { DomainError, invalidInput } from '../domain/errors.js';
import type { UploadedFile } from '../domain/uploaded-file.js';
import { MAX_IMAGE_BYTES } from '../domain/validation.js';
import { fetchImage, type FetchPolicy } from './safe-fetch.js';

/** The image of an ImageInput: exactly one of base64, url or upload. */
export interface ImageSource {
  base64?: string | null;
  url?: string | null;
  upload?: UploadedFile | null;
}

/** Which of the three an image gives, when it gives exactly one; the refusal otherwise. */
function sourceOf(field: string, image: ImageSource): 'base64' | 'url' | 'upload' {
  const given = (['base64', 'url', 'upload'] as const).filter((k) => image[k] != null);
  if (given.length === 1) return given[0];
  throw invalidInput(field, 'exactly one of base64, url or upload', given.length === 0 ? 'none' : given.join(' and '));
}

/**
 * The bytes of an uploaded file, refused when it was longer than the image
 * limit (http/multipart.ts kept only its start) or empty.
 */
export function uploadedImage(field: string, file: UploadedFile): Uint8Array {
  if (file.truncated) {
    throw new DomainError('INVALID_IMAGE', `${field}: expected at most ${MAX_IMAGE_BYTES} bytes of image, got ${file.size}`, { field });
  }
  if (file.size === 0) throw invalidInput(field, 'a JPEG or PNG file', 'an empty file');
  return file.bytes;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const EQUALS = 0x3d;

/**
 * The bytes of `text` when it is standard base64 without whitespace, decided
 * without a regular expression over the whole string (two such passes cost
 * several times the decoding of an image): node's decoder skips every
 * character outside the alphabet and stops at a `=` inside the text, so the
 * decoded length is exactly what the length and padding promise only when
 * there was none of either; it also takes the base64url characters `-` and
 * `_`, which are looked for apart. Undefined when that is not so (the caller
 * then checks character by character, and strips whitespace).
 */
function decodeCleanBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.charCodeAt(text.length - 1) !== EQUALS ? 0 : text.charCodeAt(text.length - 2) !== EQUALS ? 1 : 2;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

/**
 * Decodes base64 image bytes. The size is checked on the string before
 * decoding, so a huge payload is refused without being copied.
 */
export function decodeBase64Image(field: string, base64: string): Uint8Array {
  if (base64.length <= Math.ceil(MAX_IMAGE_BYTES / 3) * 4) {
    const clean = decodeCleanBase64(base64);
    if (clean) return clean;
  }
  const text = base64.replace(/\s+/g, '');
  if (text.length === 0) throw invalidInput(field, 'base64 of a JPEG or PNG image', 'an empty string');
  if (text.length > Math.ceil(MAX_IMAGE_BYTES / 3) * 4) {
    throw new DomainError(
      'INVALID_IMAGE',
      `${field}: expected at most ${MAX_IMAGE_BYTES} bytes of image, got about ${Math.floor((text.length * 3) / 4)}`,
      {
        field,
      },
    );
  }
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw invalidInput(field, 'standard base64 (A-Z a-z 0-9 + /, padded with =)', 'malformed base64');
  }
  return Buffer.from(text, 'base64');
}

/**
 * The bytes of an ImageInput: decoded base64, fetched from its URL under
 * `policy` (see images/safe-fetch.ts), cancelled by the signal of `call`
 * (the request's), which is read only for a URL, or the uploaded file's.
 */
export async function resolveImage(
  field: string,
  image: ImageSource,
  policy: FetchPolicy,
  call?: { readonly signal?: AbortSignal },
): Promise<Uint8Array> {
  const source = sourceOf(field, image);
  if (source === 'url') return fetchImage(image.url as string, { ...policy, field: `${field}.url` }, call?.signal);
  if (source === 'upload') return uploadedImage(`${field}.upload`, image.upload as UploadedFile);
  return decodeBase64Image(`${field}.base64`, image.base64 as string);
}

/**
 * One request's image bytes, each distinct image resolved once: aliases of
 * image fields that share one image (a variable, or the same literal) share
 * one decode, or one fetch, and one copy of the bytes. Keyed by the base64
 * text or the URL itself, not by the input object: type-graphql builds a
 * new ImageInput for every field, while the strings stay the same. A
 * string's hash in V8 is cheap however long it is (past 16,383 characters
 * it is its length), and equal lengths compare by memory.
 *
 * An upload is one object in the variables however many fields use it,
 * and its bytes are already in memory: nothing to share.
 *
 * The memo holds promises, so aliases running at once share the work under
 * way, and a refusal (malformed base64, a URL refused) is the same answer
 * for each. It lives as long as the request's context.
 */
export class RequestImages {
  private base64: Map<string, Promise<Uint8Array>> | undefined;
  private urls: Map<string, Promise<Uint8Array>> | undefined;

  constructor(private readonly policy: FetchPolicy) {}

  /** The bytes of `image`, as {@link resolveImage} finds them, once per distinct image of this request. */
  resolve(field: string, image: ImageSource, call?: { readonly signal?: AbortSignal }): Promise<Uint8Array> {
    const { base64, url, upload } = image;
    // An upload, or not exactly one source (resolveImage's refusal): nothing worth keeping.
    if (upload != null || (base64 != null) === (url != null)) return resolveImage(field, image, this.policy, call);
    const memo = url != null ? (this.urls ??= new Map()) : (this.base64 ??= new Map());
    const key = (url ?? base64) as string;
    let bytes = memo.get(key);
    if (!bytes) {
      bytes = resolveImage(field, image, this.policy, call);
      memo.set(key, bytes);
    }
    return bytes;
  }
}
