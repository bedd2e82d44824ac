/**
 * The face registry: the companion LargeFaceList with the collection's id.
 * Every face indexed through facegate gets one entry there for its whole
 * life; the entry's persistedFaceId is the facegate face id and its
 * userData the face's metadata (./userdata.ts). Creates whose answer was
 * lost are recovered through the nonce they carried. Every face added or
 * deleted marks the list for training (findsimilars sees only trained
 * faces; ./search-faces.ts trains it on demand).
 */
import { DomainError } from '../../domain/errors.js';
import type { CallOptions } from '../provider.js';
import type { AdapterParts } from './adapter-parts.js';
import type { CollectionIndex, IndexedFace } from './collection-index.js';
import { modelOf } from './detect-image.js';
import { hasCode } from './errors.js';
import type { FaceRectangle } from './face-api-shapes.js';
import type { ImageSize } from './image-size.js';
import { AZURE_PAGE } from './limits.js';
import { decodeFaceList, decodeListFace, encodeFaceList, encodeListFace, newNonce, type ListFaceData } from './userdata.js';

/** A face about to be added to the registry. */
export interface NewListFace {
  externalImageId: string | null;
  /** The source image's SHA-256 (the image is retained under it). */
  sha256: string;
  /** Where the face is in the image (pixels). */
  rect: FaceRectangle;
  size: ImageSize;
  indexedAt: number;
  /** Position among the faces indexed by the same call. */
  ordinal: number;
}

/** Creates the companion list; a leftover of ours (from an interrupted delete) is replaced, someone else's is refused. */
export async function createFaceList(
  parts: AdapterParts,
  collectionId: string,
  nonce: string,
  call: CallOptions | undefined,
): Promise<void> {
  const { api, name } = parts;
  const body = { name: `facegate faces of ${collectionId}`, userData: encodeFaceList(nonce) };
  try {
    await api.createLargeFaceList(collectionId, body, call);
    return;
  } catch (e) {
    if (!hasCode(e, 'LargeFaceListExists')) throw e;
  }
  const existing = decodeFaceList((await api.getLargeFaceList(collectionId, call)).userData);
  if (existing === nonce) return; // our own earlier attempt
  if (existing === null) {
    throw new DomainError(
      'COLLECTION_ALREADY_EXISTS',
      `Collection "${collectionId}" cannot be created in provider "${name}": expected no LargeFaceList "${collectionId}" (facegate keeps a collection's faces there), got one not made by facegate`,
      { collectionId, provider: name, providerCode: 'LargeFaceListExists' },
    );
  }
  await api.deleteLargeFaceList(collectionId, call);
  await api.createLargeFaceList(collectionId, body, call);
}

/**
 * Adds one face of `image` (already retained under `face.sha256`) to the
 * collection's registry list; its persistedFaceId becomes the face id.
 * Throws transport errors.
 */
export async function addToList(
  parts: AdapterParts,
  index: CollectionIndex,
  image: Uint8Array,
  face: NewListFace,
  call: CallOptions | undefined,
): Promise<IndexedFace> {
  if (!index.hasFaceList) await ensureFaceList(parts, index, call);
  const r = face.rect;
  const data: ListFaceData = {
    externalImageId: face.externalImageId,
    sha256: face.sha256,
    rect: [r.left, r.top, r.width, r.height],
    size: [face.size.width, face.size.height],
    indexedAt: face.indexedAt,
    ordinal: face.ordinal,
    nonce: newNonce(),
    personId: null,
    personFaceId: null,
    associatedAt: null,
  };
  const { persistedFaceId } = await parts.api.addListFace(
    index.collectionId,
    image,
    { targetFace: r, detectionModel: parts.detectionModel, userData: encodeListFace(data) },
    () => findListFaceByNonce(parts, index.collectionId, data.nonce, call),
    call,
  );
  const added: IndexedFace = { faceId: persistedFaceId, data, inList: true, userId: null, personFaceId: null };
  index.addFace(added);
  index.markListChanged();
  return added;
}

/** For a group made outside facegate (or whose list was lost): creates the companion list. */
async function ensureFaceList(parts: AdapterParts, index: CollectionIndex, call: CallOptions | undefined): Promise<void> {
  try {
    await parts.api.createLargeFaceList(
      index.collectionId,
      { name: `facegate faces of ${index.collectionId}`, userData: encodeFaceList(newNonce()) },
      call,
      // findsimilars takes faceIds of the list's model: the group's, as every detect bound to the collection.
      modelOf(index),
    );
  } catch (e) {
    if (!hasCode(e, 'LargeFaceListExists')) throw e;
  }
  index.hasFaceList = true;
}

/** Recovery of an add-face to the list whose answer was lost. */
async function findListFaceByNonce(
  parts: AdapterParts,
  collectionId: string,
  nonce: string,
  call: CallOptions | undefined,
): Promise<{ persistedFaceId: string } | null> {
  let start: string | undefined;
  for (;;) {
    const faces = await parts.api.listListFaces(collectionId, start, AZURE_PAGE, call);
    const hit = faces.find((f) => decodeListFace(f.userData)?.nonce === nonce);
    if (hit) return { persistedFaceId: hit.persistedFaceId };
    if (faces.length < AZURE_PAGE) return null;
    start = faces[faces.length - 1].persistedFaceId;
  }
}
