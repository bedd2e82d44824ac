/**
 * The faces of a page's users, loaded by `Collection.users` for the whole
 * page in one provider call and kept by user object for `User.faces`.
 *
 * `User.faces` then answers a plain value, which graphql-jit completes
 * without a promise, a microtask or a DataLoader lookup. The connection it
 * answers is kept too (for the last arguments asked), so a page reused
 * across requests (./reuse.ts) reuses its users' face connections as well.
 * Kept by object identity in a WeakMap: the faces live exactly as long as
 * the user object, whether that is one request or a reused page.
 */
import type { FaceRecord } from '../domain/records.js';
import type { Connection } from '../schema/connection.types.js';
import { Face } from '../schema/face.type.js';
import type { User } from '../schema/user.type.js';
import { paginateArray } from './pagination.js';

class PageFaces {
  private lastArgs: string | undefined;
  private last: Connection<Face> | undefined;

  /** `loaded`: the user's faces, or the error the page's call failed with (each user's field reports it). */
  constructor(
    private readonly providerName: string,
    private readonly loaded: readonly FaceRecord[] | Error,
  ) {}

  connection(first: number, after: string | null): Connection<Face> {
    if (this.loaded instanceof Error) throw this.loaded;
    const args = `${first}:${after ?? ''}`;
    if (args !== this.lastArgs || !this.last) {
      this.last = paginateArray({ first, after }, this.loaded, (r) => Face.from(this.providerName, r));
      this.lastArgs = args;
    }
    return this.last;
  }
}

const byUser = new WeakMap<User, PageFaces>();

/** Keeps `faces` (or the error loading them failed with) for `user`. */
export function keepPageFaces(user: User, faces: readonly FaceRecord[] | Error): void {
  byUser.set(user, new PageFaces(user.providerName, faces));
}

/**
 * The user's faces as a connection, when its page loaded them; undefined
 * when it did not (the caller loads them itself); throws the page's error.
 */
export function pageFacesConnection(user: User, first: number, after: string | null): Connection<Face> | undefined {
  return byUser.get(user)?.connection(first, after);
}
