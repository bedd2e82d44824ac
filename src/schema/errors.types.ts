/**
 * Expected failures as values: the `Error` interface and one object type per
 * error, plus the mapping from a DomainError to its type.
 */
import { Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import type { DomainError } from '../domain/errors.js';
import { ErrorCode } from './enums.js';

/** Every expected failure is a value that implements Error. */
@InterfaceType('Error')
export abstract class ErrorValue {
  @Field()
  message!: string;

  @Field(() => ErrorCode)
  code!: ErrorCode;
}

@ObjectType({ implements: ErrorValue })
export class InvalidInput extends ErrorValue {
  @Field(() => String, { nullable: true, description: 'Input path that failed, e.g. `input.faceIds[3]`.' })
  field!: string | null;
}

@ObjectType({ implements: ErrorValue })
export class InvalidImage extends ErrorValue {}

@ObjectType({ implements: ErrorValue })
export class CollectionNotFound extends ErrorValue {
  @Field()
  collectionId!: string;
}

@ObjectType({ implements: ErrorValue })
export class CollectionAlreadyExists extends ErrorValue {
  @Field()
  collectionId!: string;
}

@ObjectType({ implements: ErrorValue })
export class UserNotFound extends ErrorValue {
  @Field()
  userId!: string;
}

@ObjectType({ implements: ErrorValue })
export class UserAlreadyExists extends ErrorValue {
  @Field()
  userId!: string;
}

@ObjectType({ implements: ErrorValue })
export class SnapshotNotFound extends ErrorValue {
  @Field(() => ID)
  snapshotId!: string;
}

@ObjectType({ implements: ErrorValue })
export class SnapshotExpired extends ErrorValue {
  @Field(() => ID)
  snapshotId!: string;

  @Field()
  expiredAt!: Date;
}

@ObjectType({ implements: ErrorValue })
export class IdempotencyConflict extends ErrorValue {
  @Field()
  clientRequestToken!: string;
}

@ObjectType({ implements: ErrorValue })
export class QuotaExceeded extends ErrorValue {}

@ObjectType({ implements: ErrorValue })
export class Throttled extends ErrorValue {
  @Field(() => Int, { nullable: true })
  retryAfterMs!: number | null;
}

@ObjectType({ implements: ErrorValue })
export class UnsupportedOperation extends ErrorValue {
  @Field()
  provider!: string;

  @Field()
  operation!: string;
}

@ObjectType({ implements: ErrorValue })
export class ProviderUnavailable extends ErrorValue {
  @Field()
  provider!: string;
}

@ObjectType({
  implements: ErrorValue,
  description: 'The provider refused the call (its 401/403). A caller without a grant is answered as if the resource did not exist.',
})
export class Forbidden extends ErrorValue {}

@ObjectType({ implements: ErrorValue, description: 'The image has no face the operation can use.' })
export class NoFaceDetected extends ErrorValue {}

type ErrorClass = new () => ErrorValue;

/** The object type of each code; codes without one surface as GraphQL errors. */
const TYPE_OF_CODE: Partial<Record<ErrorCode, ErrorClass>> = {
  INVALID_INPUT: InvalidInput,
  INVALID_IMAGE: InvalidImage,
  COLLECTION_NOT_FOUND: CollectionNotFound,
  COLLECTION_ALREADY_EXISTS: CollectionAlreadyExists,
  USER_NOT_FOUND: UserNotFound,
  USER_ALREADY_EXISTS: UserAlreadyExists,
  SNAPSHOT_NOT_FOUND: SnapshotNotFound,
  SNAPSHOT_EXPIRED: SnapshotExpired,
  IDEMPOTENCY_CONFLICT: IdempotencyConflict,
  QUOTA_EXCEEDED: QuotaExceeded,
  THROTTLED: Throttled,
  UNSUPPORTED_OPERATION: UnsupportedOperation,
  PROVIDER_UNAVAILABLE: ProviderUnavailable,
  FORBIDDEN: Forbidden,
  NO_FACE_DETECTED: NoFaceDetected,
};

/**
 * The error value for a DomainError, if its type is one of `allowed` (the
 * members of the field's result union); undefined otherwise.
 */
export function toErrorValue(error: DomainError, allowed: readonly (abstract new () => object)[]): ErrorValue | undefined {
  const Type = TYPE_OF_CODE[error.code];
  if (!Type || !allowed.includes(Type)) return undefined;
  const d = error.details;
  return Object.assign(new Type(), {
    message: error.message,
    code: error.code,
    field: d.field ?? null,
    collectionId: d.collectionId ?? '',
    userId: d.userId ?? '',
    snapshotId: d.snapshotId ?? '',
    expiredAt: d.expiredAt,
    clientRequestToken: d.clientRequestToken ?? '',
    retryAfterMs: d.retryAfterMs ?? null,
    provider: d.provider ?? '',
    operation: d.operation ?? '',
  });
}
