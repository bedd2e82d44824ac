/**
 * The adapter's in-memory picture of one collection: users (userId ↔
 * personId), faces (facegate face id ↔ where the face lives in Azure) and
 * training bookkeeping. Reads are answered from it; every mutation updates
 * it after Azure confirmed the change.
 *
 * It is a cache of Azure, never a source of truth: {@link loadIndex}
 * rebuilds it from the LargePersonGroup (persons and their persistedFaceIds)
 * and the companion LargeFaceList (one entry per facegate face, with the
 * face's metadata in userData), at about (persons + faces) / 1000 list calls
 * plus one GET per person face that no list entry points at (crash
 * leftovers, faces added by other tools). See ./userdata.ts for the layout.
 */
import type { CallOptions } from '../provider.js';
import type { UserStatus } from '../../domain/records.js';
import type { PersonOut, PersistedFaceOut, TrainingStatusOut } from './face-api-shapes.js';
import type { FaceTransport } from './transport.js';
import { mapLimit } from '../../lib/map-limit.js';
import { hasCode } from './errors.js';
import { decodeCollection, decodeListFace, decodePerson, decodePersonFace, type ListFaceData } from './userdata.js';

export interface IndexedUser {
  userId: string;
  personId: string;
  /** Creation time (ms); listing order with userId. 0 for persons made by other tools. */
  createdAt: number;
  /** Value of the collection's change counter when the user's faces last changed. */
  changedSeq: number;
}

export interface IndexedFace {
  /** The facegate face id: the list entry's persistedFaceId (or, for a face only found in a person, that persistedFaceId). */
  faceId: string;
  /** Metadata from the list entry; null for faces facegate did not index. */
  data: ListFaceData | null;
  /** Whether the face has an entry in the companion list (it can then leave a user without being lost). */
  inList: boolean;
  userId: string | null;
  /** The person's persistedFaceId while associated. */
  personFaceId: string | null;
}

const USER_ID = /^[a-zA-Z0-9_.\-:]{1,128}$/;
const PAGE = 1000;

export class CollectionIndex {
  readonly users = new Map<string, IndexedUser>();
  readonly userByPerson = new Map<string, string>();
  readonly faces = new Map<string, IndexedFace>();
  private readonly facesByUser = new Map<string, Set<string>>();
  /** Bumped by every change that needs a training to reach identify. */
  seq = 0;
  /** The highest `seq` a finished training is known to include. */
  trainedSeq = 0;
  /**
   * The companion LargeFaceList's change counter (faces added or deleted)
   * and the highest value a finished list training is known to include.
   * `known` is false for an index rebuilt from Azure until the list's
   * training status has been read (./find-similar-call.ts).
   */
  readonly list = { seq: 0, trainedSeq: 0, known: true };
  private version = 0;
  private sortedUsersCache: { version: number; users: IndexedUser[] } | null = null;
  private sortedFacesCache: { version: number; faces: IndexedFace[] } | null = null;

  constructor(
    readonly collectionId: string,
    readonly createdAt: Date | null,
    readonly faceModelVersion: string | null,
    /** Whether the companion LargeFaceList exists. */
    public hasFaceList: boolean,
    readonly loadedAt: number,
  ) {}

  addUser(user: IndexedUser): void {
    this.users.set(user.userId, user);
    this.userByPerson.set(user.personId, user.userId);
    this.version++;
  }

  /** Removes a user; its faces become unassociated. */
  removeUser(userId: string): void {
    const user = this.users.get(userId);
    if (!user) return;
    for (const faceId of [...(this.facesByUser.get(userId) ?? [])]) this.setFaceUser(faceId, null, null);
    this.users.delete(userId);
    this.userByPerson.delete(user.personId);
    this.facesByUser.delete(userId);
    this.version++;
  }

  addFace(face: IndexedFace): void {
    this.faces.set(face.faceId, face);
    if (face.userId !== null) this.link(face.userId, face.faceId);
    this.version++;
  }

  removeFace(faceId: string): void {
    const face = this.faces.get(faceId);
    if (!face) return;
    if (face.userId !== null) this.facesByUser.get(face.userId)?.delete(faceId);
    this.faces.delete(faceId);
    this.version++;
  }

  setFaceUser(faceId: string, userId: string | null, personFaceId: string | null): void {
    const face = this.faces.get(faceId);
    if (!face) return;
    if (face.userId !== null) this.facesByUser.get(face.userId)?.delete(faceId);
    face.userId = userId;
    face.personFaceId = personFaceId;
    if (userId !== null) this.link(userId, faceId);
    this.version++;
  }

  /** Records that these users' faces changed; a training is due. */
  markChanged(userIds: readonly string[]): void {
    this.seq++;
    for (const id of userIds) {
      const user = this.users.get(id);
      if (user) user.changedSeq = this.seq;
    }
  }

  /** Records that the face registry's faces changed; findsimilars needs a list training first. */
  markListChanged(): void {
    this.list.seq++;
  }

  faceCountOf(userId: string): number {
    return this.facesByUser.get(userId)?.size ?? 0;
  }

  /** The user's faces in index order. */
  facesOf(userId: string): IndexedFace[] {
    const ids = this.facesByUser.get(userId);
    if (!ids || ids.size === 0) return [];
    return [...ids].map((id) => this.faces.get(id) as IndexedFace).sort(compareFaces);
  }

  /** True when some user has a face (identify needs a trained group only then). */
  hasUserFaces(): boolean {
    for (const ids of this.facesByUser.values()) if (ids.size > 0) return true;
    return false;
  }

  /**
   * CREATED without faces; UPDATING while a change of its faces is not in a
   * finished training yet; ACTIVE once it is (providers.md §D).
   */
  userStatus(userId: string): UserStatus {
    const user = this.users.get(userId);
    if (!user || this.faceCountOf(userId) === 0) return 'CREATED';
    return user.changedSeq > this.trainedSeq ? 'UPDATING' : 'ACTIVE';
  }

  /** Users in creation order (createdAt, then userId). */
  sortedUsers(): IndexedUser[] {
    if (this.sortedUsersCache?.version !== this.version) {
      this.sortedUsersCache = { version: this.version, users: [...this.users.values()].sort(compareUsers) };
    }
    return this.sortedUsersCache.users;
  }

  /** Faces in index order (indexedAt, position in the image's call, faceId). */
  sortedFaces(): IndexedFace[] {
    if (this.sortedFacesCache?.version !== this.version) {
      this.sortedFacesCache = { version: this.version, faces: [...this.faces.values()].sort(compareFaces) };
    }
    return this.sortedFacesCache.faces;
  }

  private link(userId: string, faceId: string): void {
    let set = this.facesByUser.get(userId);
    if (!set) this.facesByUser.set(userId, (set = new Set()));
    set.add(faceId);
  }
}

export const userKey = (u: IndexedUser): [number, string] => [u.createdAt, u.userId];
export const faceKey = (f: IndexedFace): [number, number, string] => [f.data?.indexedAt ?? 0, f.data?.ordinal ?? 0, f.faceId];

/** Compares sort keys element by element. */
export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return a.length - b.length;
}

const compareUsers = (a: IndexedUser, b: IndexedUser) => compareKeys(userKey(a), userKey(b));
const compareFaces = (a: IndexedFace, b: IndexedFace) => compareKeys(faceKey(a), faceKey(b));

/** What a rebuild found besides the index. */
export interface LoadResult {
  index: CollectionIndex;
  /** A training should run (changes newer than the last successful one, or none succeeded yet). */
  needsTraining: boolean;
  /** List entries whose person link was missing or stale and was found from the person side (worth re-writing). */
  repairs: { faceId: string; data: ListFaceData }[];
}

/**
 * Rebuilds the index of `collectionId` from Azure, with the Face calls made
 * for `call`. Throws the transport's errors (LargePersonGroupNotFound when
 * the collection does not exist).
 */
export async function loadIndex(
  api: FaceTransport,
  collectionId: string,
  now: number,
  concurrency: number,
  /** The userId → personId index facegate recorded: the person to prefer when a userId has several. */
  recorded: ReadonlyMap<string, string>,
  call: CallOptions | undefined,
): Promise<LoadResult> {
  const group = await api.getLargePersonGroup(collectionId, call);
  const meta = decodeCollection(group.userData);
  const persons = await listAll(
    (start) => api.listPersons(collectionId, start, PAGE, call),
    (p) => p.personId,
  );
  let listFaces: PersistedFaceOut[] = [];
  let hasFaceList = true;
  try {
    listFaces = await listAll(
      (start) => api.listListFaces(collectionId, start, PAGE, call),
      (f) => f.persistedFaceId,
    );
  } catch (e) {
    if (!hasCode(e, 'LargeFaceListNotFound')) throw e;
    hasFaceList = false;
  }
  let training: TrainingStatusOut | null = null;
  try {
    training = await api.getTrainingStatus(collectionId, call);
  } catch (e) {
    if (!hasCode(e, 'LargePersonGroupNotTrained')) throw e;
  }

  const index = new CollectionIndex(collectionId, meta ? new Date(meta.createdAt) : null, group.recognitionModel ?? null, hasFaceList, now);
  // Whether the list's last training includes its faces is read when a search first needs it.
  if (listFaces.length > 0) index.list.known = false;

  // One person per userId: the one holding most faces, then the oldest (a
  // duplicate can only come from a create whose answer was lost).
  const chosen = new Map<string, { person: PersonOut; createdAt: number }>();
  for (const person of persons) {
    const data = decodePerson(person.userData);
    const userId = data?.userId ?? (USER_ID.test(person.name) ? person.name : null);
    if (userId === null) continue;
    const createdAt = data?.createdAt ?? 0;
    const current = chosen.get(userId);
    const count = (p: PersonOut) => p.persistedFaceIds?.length ?? 0;
    const preferred = recorded.get(userId);
    if (current && preferred !== undefined && (current.person.personId === preferred) !== (person.personId === preferred)) {
      if (person.personId === preferred) chosen.set(userId, { person, createdAt });
      continue;
    }
    if (
      !current ||
      count(person) > count(current.person) ||
      (count(person) === count(current.person) &&
        compareKeys([createdAt, person.personId], [current.createdAt, current.person.personId]) < 0)
    ) {
      chosen.set(userId, { person, createdAt });
    }
  }
  const personFaces = new Map<string, Set<string>>();
  for (const [userId, { person, createdAt }] of chosen) {
    index.addUser({ userId, personId: person.personId, createdAt, changedSeq: 0 });
    personFaces.set(person.personId, new Set(person.persistedFaceIds ?? []));
  }

  const claimed = new Set<string>();
  for (const entry of listFaces) {
    const data = decodeListFace(entry.userData);
    let userId: string | null = null;
    let personFaceId: string | null = null;
    if (data?.personId && data.personFaceId && personFaces.get(data.personId)?.has(data.personFaceId) && !claimed.has(data.personFaceId)) {
      userId = index.userByPerson.get(data.personId) ?? null;
      personFaceId = data.personFaceId;
      claimed.add(data.personFaceId);
    }
    index.addFace({ faceId: entry.persistedFaceId, data, inList: true, userId, personFaceId });
  }

  // Person faces no list entry points at: ask each for its facegate id.
  const unclaimed: { personId: string; persistedFaceId: string }[] = [];
  for (const [personId, ids] of personFaces) for (const id of ids) if (!claimed.has(id)) unclaimed.push({ personId, persistedFaceId: id });
  const found = await mapLimit(unclaimed, concurrency, async (u): Promise<{ userData?: string } | null> => {
    try {
      return { userData: (await api.getPersonFace(collectionId, u.personId, u.persistedFaceId, call)).userData };
    } catch (e) {
      if (hasCode(e, 'PersistedFaceNotFound', 'PersonNotFound')) return null; // deleted meanwhile
      throw e;
    }
  });
  const repairs: LoadResult['repairs'] = [];
  const associatedAt = new Map<string, number>();
  unclaimed.forEach((u, i) => {
    const got = found[i];
    if (got === null) return;
    const userId = index.userByPerson.get(u.personId) as string;
    const link = decodePersonFace(got.userData);
    const face = link ? index.faces.get(link.faceId) : undefined;
    if (face && link) {
      if (face.userId !== null) return; // a second copy of an associated face: ignored
      index.setFaceUser(face.faceId, userId, u.persistedFaceId);
      associatedAt.set(face.faceId, link.associatedAt);
      if (face.data) {
        face.data = { ...face.data, personId: u.personId, personFaceId: u.persistedFaceId, associatedAt: link.associatedAt };
        repairs.push({ faceId: face.faceId, data: face.data });
      }
      return;
    }
    // Added by another tool (or its list entry is gone): listed, but it cannot leave the user without being lost.
    index.addFace({ faceId: u.persistedFaceId, data: null, inList: false, userId, personFaceId: u.persistedFaceId });
  });

  // Training: changes (by association time) after the last successful
  // training are not in it; without a success everything is pending.
  // Azure's TrainingResult: `createdDateTime` is the *group's* creation
  // time, `lastSuccessfulTrainingDateTime` "the last successful training
  // time" (also while a later round runs or after one failed: identify keeps
  // using that model). Azure does not say whether it is the round's start or
  // end; read as its end, a change made while that round ran counts as
  // trained — only when no later round followed, i.e. the process that made
  // it died before its own next round (every change this process makes
  // schedules one).
  let needsTraining = false;
  if (index.hasUserFaces()) {
    const trainedFrom = lastSuccessfulTraining(training);
    const changed: string[] = [];
    for (const user of index.users.values()) {
      const faces = index.facesOf(user.userId);
      if (faces.length === 0) continue;
      const newest = Math.max(...faces.map((f) => f.data?.associatedAt ?? associatedAt.get(f.faceId) ?? 0));
      if (trainedFrom === null || !(newest < trainedFrom)) changed.push(user.userId);
    }
    if (changed.length > 0) {
      index.markChanged(changed);
      needsTraining = true;
    }
  }
  return { index, needsTraining, repairs };
}

/** When the group's last successful training happened (ms), or null when none did. */
export function lastSuccessfulTraining(training: TrainingStatusOut | null): number | null {
  const at = training?.lastSuccessfulTrainingDateTime ? Date.parse(training.lastSuccessfulTrainingDateTime) : NaN;
  return Number.isNaN(at) ? null : at;
}

/** Every page of an Azure start/top listing (ids ascending). */
async function listAll<T>(page: (start: string | undefined) => Promise<T[]>, id: (item: T) => string): Promise<T[]> {
  const all: T[] = [];
  let start: string | undefined;
  for (;;) {
    const items = await page(start);
    all.push(...items);
    if (items.length < PAGE) return all;
    start = id(items[items.length - 1]);
  }
}
