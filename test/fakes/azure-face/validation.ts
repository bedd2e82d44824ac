/**
 * Field rules of Azure AI Face v1.2 as the fake enforces them
 * (providers.md §B.1/§B.2), and the error type every handler throws.
 * Messages quote the error-code reference where it has one; where it has
 * none the fake's own wording is marked "(fake)" in a comment.
 */

/** A Face API error: `{"error":{code,message}}` with `x-ms-error-code: code`. */
export class AzureError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** JSON as parsed from a request body. */
export type Json = Record<string, unknown>;

export const badArgument = (message: string) => new AzureError(400, 'BadArgument', message);

/** Container ids (largePersonGroupId, largeFaceListId, …): lowercase letters, digits, '-' and '_', 1..64. */
export const CONTAINER_ID = /^[a-z0-9-_]{1,64}$/;
/** Server-generated ids (personId, persistedFaceId, faceId). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const RECOGNITION_MODELS = ['recognition_01', 'recognition_02', 'recognition_03', 'recognition_04'] as const;
export const DETECTION_MODELS = ['detection_01', 'detection_02', 'detection_03'] as const;
export const MAX_NAME = 128;
export const MAX_CONTAINER_USER_DATA = 16384;
export const MAX_FACE_USER_DATA = 1024;

/** Parses a JSON object body; BadArgument otherwise. */
export function parseJsonObject(body: Buffer): Json {
  if (body.length === 0) throw badArgument('Request body is invalid.');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badArgument('JSON parsing error.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badArgument('Request body is invalid.');
  return value as Json;
}

export function checkName(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw badArgument("'name' is empty.");
    return undefined;
  }
  if (typeof value !== 'string') throw badArgument('Request body is invalid.');
  if (value.length === 0) throw badArgument("'name' is empty.");
  if (value.length > MAX_NAME) throw badArgument("'name' is too long.");
  return value;
}

export function checkUserData(value: unknown, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badArgument('Request body is invalid.');
  if (value.length > max) throw badArgument("'userData' is too long.");
  return value;
}

export function checkRecognitionModel(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !(RECOGNITION_MODELS as readonly string[]).includes(value)) {
    throw badArgument("'recognitionModel' is invalid.");
  }
  return value;
}

export function checkDetectionModel(value: string | null): string {
  if (value === null || value === '') return 'detection_01';
  if (!(DETECTION_MODELS as readonly string[]).includes(value)) throw badArgument("'detectionModel' is invalid.");
  return value;
}

/** `start` and `top` of a list call. */
export function checkPaging(query: URLSearchParams): { start: string; top: number } {
  const start = query.get('start') ?? '';
  if (start.length > 64) throw badArgument("'start' is too long.");
  const rawTop = query.get('top');
  let top = 1000;
  if (rawTop !== null) {
    if (!/^\d{1,4}$/.test(rawTop) || Number(rawTop) < 1 || Number(rawTop) > 1000) throw badArgument("'top' is invalid.");
    top = Number(rawTop);
  }
  return { start, top };
}

/** A boolean query parameter (`true`/`false`, case-insensitive). */
export function queryBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw badArgument(`'${name}' is invalid.`); // (fake) wording
}

/** `targetFace=left,top,width,height` in pixels. */
export function parseTargetFace(raw: string | null): { left: number; top: number; width: number; height: number } | null {
  if (raw === null || raw === '') return null;
  const parts = raw.split(',');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,6}$/.test(p.trim()))) throw badArgument('Invalid argument targetFace.');
  const [left, top, width, height] = parts.map((p) => Number(p.trim()));
  if (width === 0 || height === 0) throw badArgument('Invalid argument targetFace.');
  return { left, top, width, height };
}

/** A required uuid-shaped id in a JSON body. */
export function checkUuid(value: unknown, message: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw badArgument(message);
  return value.toLowerCase();
}
