/**
 * Field constraints of the public API, exactly as AWS Rekognition declares
 * them (the reference vocabulary for every provider). A violation is an
 * INVALID_INPUT DomainError naming the input path, raised before anything is
 * written.
 *
 * The model's patterns are unanchored; Rekognition rejects any value with a
 * character outside the class, so they are applied to the whole value here.
 */
import { invalidInput } from './errors.js';

/** Largest encoded image Rekognition accepts (Image.Bytes): 5 MiB. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

interface StringRule {
  min: number;
  max: number;
  pattern: RegExp;
  /** How the pattern is described in error messages. */
  shape: string;
}

const RULES = {
  collectionId: { min: 1, max: 255, pattern: /^[a-zA-Z0-9_.-]+$/, shape: 'letters, digits, "_", "." or "-"' },
  userId: { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.\-:]+$/, shape: 'letters, digits, "_", ".", "-" or ":"' },
  externalImageId: { min: 1, max: 255, pattern: /^[a-zA-Z0-9_.\-:]+$/, shape: 'letters, digits, "_", ".", "-" or ":"' },
  clientRequestToken: { min: 1, max: 64, pattern: /^[a-zA-Z0-9\-_]+$/, shape: 'letters, digits, "-" or "_"' },
  faceId: { min: 36, max: 36, pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, shape: 'a lowercase UUID' },
} satisfies Record<string, StringRule>;

export type StringField = keyof typeof RULES;

/** Shows a caller's value in an error message without echoing a huge string back. */
export function describeValue(value: string): string {
  return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
}

/** Checks one string against the rule for `kind`; `field` is the input path reported. */
export function checkString(kind: StringField, field: string, value: string): string {
  const rule: StringRule = RULES[kind];
  if (value.length < rule.min || value.length > rule.max) {
    const len = rule.min === rule.max ? `${rule.min}` : `${rule.min}..${rule.max}`;
    throw invalidInput(field, `${len} characters`, `${value.length}`);
  }
  if (!rule.pattern.test(value)) throw invalidInput(field, rule.shape, describeValue(value));
  return value;
}

/** Like {@link checkString}, passing `undefined`/`null` through. */
export function checkOptionalString(kind: StringField, field: string, value: string | null | undefined): string | undefined {
  return value == null ? undefined : checkString(kind, field, value);
}

/** Checks a list of face ids: `min..max` items, each a face id, no duplicates. */
export function checkFaceIds(field: string, faceIds: readonly string[], min: number, max: number): string[] {
  if (faceIds.length < min || faceIds.length > max) {
    throw invalidInput(field, `${min}..${max} face ids`, `${faceIds.length}`);
  }
  faceIds.forEach((id, i) => checkString('faceId', `${field}[${i}]`, id));
  return [...new Set(faceIds)];
}

/** Checks a number lies in `min..max` (integers only when `integer`). */
export function checkNumber(field: string, value: number, min: number, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw invalidInput(field, `${integer ? 'an integer' : 'a number'} in ${min}..${max}`, String(value));
  }
  return value;
}

/** Tenant ids (applyScope entries): the same shape as provider names. */
const TENANT_ID = /^[a-zA-Z0-9_-]{1,64}$/;

/** Checks an applyScope list: at most 100 tenant ids, deduplicated. */
export function checkApplyScope(field: string, scope: readonly string[] | null | undefined): string[] {
  if (!scope) return [];
  if (scope.length > 100) throw invalidInput(field, 'at most 100 tenant ids', `${scope.length}`);
  scope.forEach((t, i) => {
    if (!TENANT_ID.test(t))
      throw invalidInput(`${field}[${i}]`, 'a tenant id (letters, digits, "_" or "-", 1..64 characters)', describeValue(t));
  });
  return [...new Set(scope)];
}

/** An Azure subscription id: a GUID in any case (Azure's applyScope items are `uuid`). */
const SUBSCRIPTION_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** At most this many subscription ids to share a take with (as many as tenants in `applyScope`; Azure documents no maximum). */
export const MAX_SHARED_SUBSCRIPTIONS = 100;

/**
 * takeSnapshot's `azureApplyScope`: Azure Face subscription ids (GUIDs),
 * returned lowercase without repeats; absent is none. Field `field[i]` names a bad one.
 */
export function checkSubscriptionIds(field: string, ids: readonly string[] | null | undefined): string[] {
  if (!ids) return [];
  if (ids.length > MAX_SHARED_SUBSCRIPTIONS)
    throw invalidInput(field, `at most ${MAX_SHARED_SUBSCRIPTIONS} subscription ids`, `${ids.length}`);
  ids.forEach((id, i) => {
    if (!SUBSCRIPTION_ID.test(id))
      throw invalidInput(
        `${field}[${i}]`,
        'an Azure subscription id (a GUID, e.g. 6f0c1c52-9d2b-4a36-9f4e-0d2a3b4c5d6e)',
        describeValue(id),
      );
  });
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/** Snapshot userData: free text up to 16 KiB, as Azure's snapshot userData. */
export function checkUserData(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  if (Buffer.byteLength(value) > 16 * 1024) throw invalidInput(field, 'at most 16384 bytes', `${Buffer.byteLength(value)}`);
  return value;
}
