/**
 * What this adapter keeps in Azure's `userData` fields, so that everything
 * it knows can be rebuilt from Azure alone (see collection-index.ts). All
 * values are compact JSON with a version `v`; anything else found there
 * (data written by other tools) decodes to null and is treated as foreign.
 *
 * - LargePersonGroup (≤ 16 KiB): `{"v":1,"kind":"facegate-collection","t":<createdAt ms>,"n":<nonce>}`;
 *   its name is the collection id.
 * - Companion LargeFaceList, same id (≤ 16 KiB): `{"v":1,"kind":"facegate-faces","n":<nonce>}`.
 * - Person (≤ 16 KiB): `{"v":1,"u":<userId>,"t":<createdAt ms>,"n":<nonce>}`; its name is the userId.
 * - Face in the list — the face registry, one entry per facegate face for
 *   its whole life (≤ 1 KiB, about 600 bytes at most):
 *   `{"v":1,"x":<externalImageId>?,"s":<image sha256>,"r":[l,t,w,h] px,"d":[w,h] px,"t":<indexedAt ms>,"o":<ordinal>,"n":<nonce>,"p":<personId>?,"q":<person's persistedFaceId>?,"a":<associatedAt ms>?}`.
 *   `p`/`q` say where the face was last copied to; they only count while
 *   that person still holds that persisted face.
 * - Face in a person (≤ 1 KiB): `{"v":1,"f":<facegate face id>,"a":<associatedAt ms>}`.
 */
import { randomBytes } from 'node:crypto';

export interface CollectionData {
  createdAt: number;
  nonce: string;
}

export interface PersonData {
  userId: string;
  createdAt: number;
  nonce: string;
}

export interface ListFaceData {
  externalImageId: string | null;
  sha256: string;
  /** Pixel rectangle [left, top, width, height]. */
  rect: [number, number, number, number];
  /** Image size [width, height]. */
  size: [number, number];
  indexedAt: number;
  ordinal: number;
  nonce: string;
  personId: string | null;
  personFaceId: string | null;
  /** When the face was last copied into a person (ms). */
  associatedAt: number | null;
}

export interface PersonFaceData {
  faceId: string;
  associatedAt: number;
}

/**
 * A fresh nonce for the `n` field. Creates whose answer was lost are
 * recovered by finding the object that carries the nonce of the attempt:
 * that object is ours.
 */
export const newNonce = (): string => randomBytes(6).toString('base64url');

const COLLECTION_KIND = 'facegate-collection';
const FACE_LIST_KIND = 'facegate-faces';

function parse(text: string | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) && (value as { v?: unknown }).v === 1
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

export function encodeCollection(d: CollectionData): string {
  return JSON.stringify({ v: 1, kind: COLLECTION_KIND, t: d.createdAt, n: d.nonce });
}

export function decodeCollection(text: string | undefined): CollectionData | null {
  const o = parse(text);
  if (!o || o.kind !== COLLECTION_KIND || !isInt(o.t) || !isStr(o.n)) return null;
  return { createdAt: o.t, nonce: o.n };
}

export function encodeFaceList(nonce: string): string {
  return JSON.stringify({ v: 1, kind: FACE_LIST_KIND, n: nonce });
}

/** The nonce of a companion list made by this adapter, or null. */
export function decodeFaceList(text: string | undefined): string | null {
  const o = parse(text);
  return o && o.kind === FACE_LIST_KIND && isStr(o.n) ? o.n : null;
}

export function encodePerson(d: PersonData): string {
  return JSON.stringify({ v: 1, u: d.userId, t: d.createdAt, n: d.nonce });
}

export function decodePerson(text: string | undefined): PersonData | null {
  const o = parse(text);
  if (!o || !isStr(o.u) || !isInt(o.t) || !isStr(o.n)) return null;
  return { userId: o.u, createdAt: o.t, nonce: o.n };
}

export function encodeListFace(d: ListFaceData): string {
  return JSON.stringify({
    v: 1,
    ...(d.externalImageId !== null ? { x: d.externalImageId } : {}),
    s: d.sha256,
    r: d.rect,
    d: d.size,
    t: d.indexedAt,
    o: d.ordinal,
    n: d.nonce,
    ...(d.personId !== null && d.personFaceId !== null ? { p: d.personId, q: d.personFaceId, a: d.associatedAt ?? 0 } : {}),
  });
}

export function decodeListFace(text: string | undefined): ListFaceData | null {
  const o = parse(text);
  const quad = (v: unknown): v is [number, number, number, number] => Array.isArray(v) && v.length === 4 && v.every(isInt);
  const pair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isInt);
  if (!o || !isStr(o.s) || !quad(o.r) || !pair(o.d) || !isInt(o.t) || !isInt(o.o) || !isStr(o.n)) return null;
  if (o.x !== undefined && !isStr(o.x)) return null;
  const linked = isStr(o.p) && isStr(o.q);
  return {
    externalImageId: isStr(o.x) ? o.x : null,
    sha256: o.s,
    rect: o.r,
    size: o.d,
    indexedAt: o.t,
    ordinal: o.o,
    nonce: o.n,
    personId: linked ? (o.p as string) : null,
    personFaceId: linked ? (o.q as string) : null,
    associatedAt: linked && isInt(o.a) ? o.a : null,
  };
}

export function encodePersonFace(d: PersonFaceData): string {
  return JSON.stringify({ v: 1, f: d.faceId, a: d.associatedAt });
}

export function decodePersonFace(text: string | undefined): PersonFaceData | null {
  const o = parse(text);
  if (!o || !isStr(o.f) || !isInt(o.a)) return null;
  return { faceId: o.f, associatedAt: o.a };
}
