/**
 * Persons, Azure's side of users: one person per user (name = userId,
 * userData = {userId, createdAt}), holding copies of the user's registry
 * faces. Azure keeps no images and cannot move a face, so a copy is
 * re-extracted from the face's retained source image; the person face's
 * userData names the facegate face id. Creates whose answer was lost are
 * recovered: a person through its nonce, a person face through that id.
 */
import type { CallOptions } from '../provider.js';
import type { AdapterParts } from './adapter-parts.js';
import type { CollectionIndex, IndexedFace, IndexedUser } from './collection-index.js';
import { rectOf } from './face-geometry.js';
import { AZURE_PAGE } from './limits.js';
import { decodePerson, decodePersonFace, encodeListFace, encodePerson, encodePersonFace, newNonce, type ListFaceData } from './userdata.js';

/** Creates the person of a new user and records it. Throws transport errors. */
export async function addPerson(
  parts: AdapterParts,
  index: CollectionIndex,
  userId: string,
  call: CallOptions | undefined,
): Promise<IndexedUser> {
  const { collectionId } = index;
  const createdAt = parts.nextUserCreatedAt();
  const nonce = newNonce();
  const { personId } = await parts.api.createPerson(
    collectionId,
    { name: userId, userData: encodePerson({ userId, createdAt, nonce }) },
    () => findPersonByNonce(parts, collectionId, nonce, call),
    call,
  );
  const user: IndexedUser = { userId, personId, createdAt, changedSeq: 0 };
  index.addUser(user);
  await parts.persons
    ?.put(collectionId, userId, personId)
    .catch((e: unknown) => parts.warn(`could not record person ${personId} of user ${userId} (a rebuild records it)`, e, collectionId));
  return user;
}

/**
 * Copies a registry face into a user's person (re-extracted from its
 * source `image`), records the link on the registry entry (best effort: a
 * rebuild finds it from the person side). The caller marks the change.
 */
export async function copyIntoPerson(
  parts: AdapterParts,
  index: CollectionIndex,
  user: { userId: string; personId: string },
  face: IndexedFace & { data: ListFaceData },
  image: Uint8Array,
  call: CallOptions | undefined,
): Promise<void> {
  const { collectionId } = index;
  const associatedAt = parts.now();
  const { persistedFaceId } = await parts.api.addPersonFace(
    collectionId,
    user.personId,
    image,
    {
      targetFace: rectOf(face.data.rect),
      detectionModel: parts.detectionModel,
      userData: encodePersonFace({ faceId: face.faceId, associatedAt }),
    },
    () => findPersonFace(parts, collectionId, user.personId, face.faceId, index, call),
    call,
  );
  index.setFaceUser(face.faceId, user.userId, persistedFaceId);
  const data: ListFaceData = { ...face.data, personId: user.personId, personFaceId: persistedFaceId, associatedAt };
  face.data = data;
  await parts.api
    .updateListFace(collectionId, face.faceId, encodeListFace(data), call)
    .catch((e: unknown) =>
      parts.warn(`could not record the link of face ${face.faceId} (a rebuild finds it from the person)`, e, collectionId),
    );
}

/** Recovery of a create-person whose answer was lost: the person carrying `nonce`, if it was made. */
async function findPersonByNonce(
  parts: AdapterParts,
  collectionId: string,
  nonce: string,
  call: CallOptions | undefined,
): Promise<{ personId: string } | null> {
  let start: string | undefined;
  for (;;) {
    const persons = await parts.api.listPersons(collectionId, start, AZURE_PAGE, call);
    const hit = persons.find((p) => decodePerson(p.userData)?.nonce === nonce);
    if (hit) return { personId: hit.personId };
    if (persons.length < AZURE_PAGE) return null;
    start = persons[persons.length - 1].personId;
  }
}

/** Recovery of an add-face to a person whose answer was lost: its copy of `faceId`, if made. */
async function findPersonFace(
  parts: AdapterParts,
  collectionId: string,
  personId: string,
  faceId: string,
  index: CollectionIndex,
  call: CallOptions | undefined,
): Promise<{ persistedFaceId: string } | null> {
  const person = await parts.api.getPerson(collectionId, personId, call);
  const known = new Set([...index.faces.values()].map((f) => f.personFaceId));
  for (const id of person.persistedFaceIds ?? []) {
    if (known.has(id)) continue;
    const face = await parts.api.getPersonFace(collectionId, personId, id, call);
    if (decodePersonFace(face.userData)?.faceId === faceId) return { persistedFaceId: id };
  }
  return null;
}
