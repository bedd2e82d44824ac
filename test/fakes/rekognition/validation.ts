/**
 * Input validation the way AWS's request layer does it, from the field
 * constraints of botocore's service-2.json (providers.md §A.1).
 *
 * - A JSON value of the wrong type is a SerializationException (the service
 *   cannot even read it).
 * - Constraint violations (length, pattern, range, enum, required, list size)
 *   are all collected and reported in one InvalidParameterException whose
 *   message reads like AWS's:
 *   `1 validation error detected: Value 'bad id!' at 'collectionId' failed to
 *   satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.\-]+`.
 *   Paths are camel-cased member names joined by dots (`image.bytes`).
 * - Model patterns are unanchored but Java's `matches()` applies them to the
 *   whole value, so they are anchored here.
 */
import { WIRE_ATTRIBUTES } from './face-detail.js';

/** A failed request: the exception's `__type`, HTTP status and message. */
export class AwsError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Shape =
  | { type: 'string'; min?: number; max?: number; pattern?: string; flags?: string; enum?: readonly string[] }
  | { type: 'integer' | 'long' | 'float'; min?: number; max?: number }
  | { type: 'blob'; min?: number; max?: number }
  | { type: 'list'; member: Shape; min?: number; max?: number }
  | { type: 'map'; key: Shape; value: Shape; min?: number; max?: number }
  | { type: 'structure'; members: Readonly<Record<string, Member>> };

export interface Member {
  shape: Shape;
  required?: boolean;
}

export type StructureShape = Extract<Shape, { type: 'structure' }>;

const regexCache = new Map<string, RegExp>();
function anchored(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = regexCache.get(key);
  if (!re) regexCache.set(key, (re = new RegExp(`^(?:${pattern})$`, flags)));
  return re;
}

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** How AWS prints a value in a validation message (Java toString style). */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

const serialization = (path: string, expected: string, value: unknown): AwsError =>
  new AwsError(
    'SerializationException',
    400,
    `Cannot deserialize '${path || 'request'}': expected ${expected}, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
  );

/** Constraint violations of one value (without the "Value … at …" prefix). */
function violations(shape: Shape, value: unknown, path: string, errors: string[], decoded: Map<string, Buffer>): string[] {
  const own: string[] = [];
  const length = (n: number, min?: number, max?: number) => {
    if (min !== undefined && n < min) own.push(`Member must have length greater than or equal to ${min}`);
    if (max !== undefined && n > max) own.push(`Member must have length less than or equal to ${max}`);
  };
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') throw serialization(path, 'a string', value);
      length(value.length, shape.min, shape.max); // UTF-16 units, as Java counts
      if (shape.pattern !== undefined && !anchored(shape.pattern, shape.flags).test(value)) {
        own.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      if (shape.enum && !shape.enum.includes(value)) own.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return own;
    }
    case 'integer':
    case 'long':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw serialization(path, `a ${shape.type}`, value);
      if (shape.type !== 'float' && !Number.isInteger(value)) throw serialization(path, `an ${shape.type}`, value);
      if (shape.min !== undefined && value < shape.min) own.push(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) own.push(`Member must have value less than or equal to ${shape.max}`);
      return own;
    }
    case 'blob': {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) {
        throw serialization(path, 'a base64-encoded blob', value);
      }
      const bytes = Buffer.from(value, 'base64');
      decoded.set(path, bytes);
      length(bytes.length, shape.min, shape.max);
      return own;
    }
    case 'list': {
      if (!Array.isArray(value)) throw serialization(path, 'a list', value);
      length(value.length, shape.min, shape.max);
      const inner = new Set<string>();
      value.forEach((item, i) => {
        for (const v of violations(shape.member, item, `${path}.${i + 1}.member`, errors, decoded)) inner.add(v);
      });
      if (inner.size > 0) own.push(`Member must satisfy constraint: [${[...inner].join(', ')}]`);
      return own;
    }
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw serialization(path, 'a map', value);
      const entries = Object.entries(value as Record<string, unknown>);
      length(entries.length, shape.min, shape.max);
      const keys = new Set<string>();
      const values = new Set<string>();
      for (const [k, v] of entries) {
        for (const m of violations(shape.key, k, path, errors, decoded)) keys.add(m);
        for (const m of violations(shape.value, v, path, errors, decoded)) values.add(m);
      }
      if (keys.size > 0) own.push(`Map keys must satisfy constraint: [${[...keys].join(', ')}]`);
      if (values.size > 0) own.push(`Map value must satisfy constraint: [${[...values].join(', ')}]`);
      return own;
    }
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw serialization(path, 'a structure', value);
      const record = value as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members)) {
        const memberPath = path ? `${path}.${camel(name)}` : camel(name);
        const v = record[name];
        if (v === undefined || v === null) {
          if (member.required) errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        const found = violations(member.shape, v, memberPath, errors, decoded);
        if (found.length > 0) {
          // A blob prints as Java's ByteBuffer, never its content.
          const shown =
            member.shape.type === 'blob'
              ? `java.nio.HeapByteBuffer[pos=0 lim=${decoded.get(memberPath)?.length ?? 0} cap=${decoded.get(memberPath)?.length ?? 0}]`
              : show(v);
          errors.push(`Value '${shown}' at '${memberPath}' failed to satisfy constraint: ${found.join(', ')}`);
        }
      }
      return own;
    }
  }
}

/** The decoded blobs of a valid request, by path (e.g. `image.bytes`). */
export type DecodedBlobs = ReadonlyMap<string, Buffer>;

/**
 * Validates a request body against an operation's input shape. Throws
 * SerializationException or InvalidParameterException; returns the decoded
 * blobs.
 */
export function validateInput(shape: StructureShape, input: unknown): DecodedBlobs {
  const errors: string[] = [];
  const decoded = new Map<string, Buffer>();
  violations(shape, input, '', errors, decoded);
  if (errors.length > 0) {
    const head = errors.length === 1 ? '1 validation error detected' : `${errors.length} validation errors detected`;
    throw new AwsError('InvalidParameterException', 400, `${head}: ${errors.join('; ')}`);
  }
  return decoded;
}

// ---- the shapes of §A.1 -----------------------------------------------------

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

const S = {
  collectionId: { type: 'string', min: 1, max: 255, pattern: '[a-zA-Z0-9_.\\-]+' },
  userId: { type: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9_.\\-:]+' },
  externalImageId: { type: 'string', min: 1, max: 255, pattern: '[a-zA-Z0-9_.\\-:]+' },
  faceId: { type: 'string', pattern: UUID },
  clientRequestToken: { type: 'string', min: 1, max: 64, pattern: '^[a-zA-Z0-9-_]+$' },
  nextToken: { type: 'string', max: 255 },
  qualityFilter: { type: 'string', enum: ['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH'] },
  threshold: { type: 'float', min: 0, max: 100 },
} as const satisfies Record<string, Shape>;

const faceIdList = (max: number): Shape => ({ type: 'list', member: S.faceId, min: 1, max });

const image: Shape = {
  type: 'structure',
  members: {
    Bytes: { shape: { type: 'blob', min: 1, max: 5_242_880 } },
    S3Object: {
      shape: {
        type: 'structure',
        members: {
          Bucket: { shape: { type: 'string', min: 3, max: 255, pattern: '[0-9A-Za-z\\.\\-_]*' } },
          Name: { shape: { type: 'string', min: 1, max: 1024 } },
          Version: { shape: { type: 'string', min: 1, max: 1024 } },
        },
      },
    },
  },
};

const tags: Shape = {
  type: 'map',
  max: 200,
  key: { type: 'string', min: 1, max: 128, pattern: '^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$', flags: 'u' },
  value: { type: 'string', min: 0, max: 256, pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', flags: 'u' },
};

const detectionAttributes: Shape = {
  type: 'list',
  member: {
    type: 'string',
    enum: ['DEFAULT', 'ALL', ...WIRE_ATTRIBUTES],
  },
};

const struct = (members: Record<string, Member>): StructureShape => ({ type: 'structure', members });
const req = (shape: Shape): Member => ({ shape, required: true });
const opt = (shape: Shape): Member => ({ shape });

/** Input shapes of the operations the fake serves. */
export const INPUT_SHAPES = {
  CreateCollection: struct({ CollectionId: req(S.collectionId), Tags: opt(tags) }),
  DeleteCollection: struct({ CollectionId: req(S.collectionId) }),
  DescribeCollection: struct({ CollectionId: req(S.collectionId) }),
  ListCollections: struct({ NextToken: opt(S.nextToken), MaxResults: opt({ type: 'integer', min: 0, max: 4096 }) }),
  IndexFaces: struct({
    CollectionId: req(S.collectionId),
    Image: req(image),
    ExternalImageId: opt(S.externalImageId),
    DetectionAttributes: opt(detectionAttributes),
    MaxFaces: opt({ type: 'integer', min: 1 }),
    QualityFilter: opt(S.qualityFilter),
  }),
  ListFaces: struct({
    CollectionId: req(S.collectionId),
    NextToken: opt(S.nextToken),
    MaxResults: opt({ type: 'integer', min: 0, max: 4096 }),
    UserId: opt(S.userId),
    FaceIds: opt(faceIdList(4096)),
  }),
  DeleteFaces: struct({ CollectionId: req(S.collectionId), FaceIds: req(faceIdList(4096)) }),
  CreateUser: struct({ CollectionId: req(S.collectionId), UserId: req(S.userId), ClientRequestToken: opt(S.clientRequestToken) }),
  DeleteUser: struct({ CollectionId: req(S.collectionId), UserId: req(S.userId), ClientRequestToken: opt(S.clientRequestToken) }),
  ListUsers: struct({
    CollectionId: req(S.collectionId),
    MaxResults: opt({ type: 'integer', min: 1, max: 500 }),
    NextToken: opt(S.nextToken),
  }),
  AssociateFaces: struct({
    CollectionId: req(S.collectionId),
    UserId: req(S.userId),
    FaceIds: req(faceIdList(100)),
    UserMatchThreshold: opt(S.threshold),
    ClientRequestToken: opt(S.clientRequestToken),
  }),
  DisassociateFaces: struct({
    CollectionId: req(S.collectionId),
    UserId: req(S.userId),
    ClientRequestToken: opt(S.clientRequestToken),
    FaceIds: req(faceIdList(100)),
  }),
  DetectFaces: struct({ Image: req(image), Attributes: opt(detectionAttributes) }),
  CompareFaces: struct({
    SourceImage: req(image),
    TargetImage: req(image),
    SimilarityThreshold: opt(S.threshold),
    QualityFilter: opt(S.qualityFilter),
  }),
  SearchFaces: struct({
    CollectionId: req(S.collectionId),
    FaceId: req(S.faceId),
    MaxFaces: opt({ type: 'integer', min: 1, max: 4096 }),
    FaceMatchThreshold: opt(S.threshold),
  }),
  SearchFacesByImage: struct({
    CollectionId: req(S.collectionId),
    Image: req(image),
    MaxFaces: opt({ type: 'integer', min: 1, max: 4096 }),
    FaceMatchThreshold: opt(S.threshold),
    QualityFilter: opt(S.qualityFilter),
  }),
  SearchUsers: struct({
    CollectionId: req(S.collectionId),
    UserId: opt(S.userId),
    FaceId: opt(S.faceId),
    UserMatchThreshold: opt(S.threshold),
    MaxUsers: opt({ type: 'integer', min: 1, max: 500 }),
  }),
  SearchUsersByImage: struct({
    CollectionId: req(S.collectionId),
    Image: req(image),
    UserMatchThreshold: opt(S.threshold),
    MaxUsers: opt({ type: 'integer', min: 1, max: 500 }),
    QualityFilter: opt(S.qualityFilter),
  }),
} as const satisfies Record<string, StructureShape>;

export type OperationName = keyof typeof INPUT_SHAPES;

export const OPERATIONS = Object.keys(INPUT_SHAPES) as OperationName[];
