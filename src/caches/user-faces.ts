/**
 * User faces: the faces of a page's users, or only how many each has,
 * loaded by `Collection.users` for the whole page in one provider call and
 * kept for `User.faces` and `User.faceCount`.
 *
 * Those fields then answer a plain value, which graphql-jit completes
 * without a promise, a microtask or a DataLoader lookup; a user's count is
 * the length of its faces when they were loaded (`listUserFaces` answers
 * all of a user's faces, at most 100), so a page selecting both costs one
 * call.
 *
 * - Holds: for each user object of such a page, its faces or its face
 *   count (or the error the page's call failed with, which each user's
 *   field reports), and the last face connection made of the faces with the
 *   arguments it was made for, so a page reused across requests
 *   (./reused-pages.ts) reuses its users' face connections as well.
 * - Key: the User object itself (identity); the connection under it is
 *   keyed by `first` and `after`, built here.
 * - Bound: one entry per user object of a page that selected faces; the
 *   pages themselves are bounded by their owners (a request, or
 *   ./reused-pages.ts).
 * - Dropped: with its user object (a WeakMap), when the request or the
 *   reused page that holds the user lets it go; the kept connection is
 *   replaced when other arguments are asked.
 *
 * One instance per gateway, made where the provider registry is made and
 * reached through the request context.
 */
import type { FaceRecord } from '../domain/records.js';
import type { Connection } from '../schema/connection.types.js';
import type { Face } from '../schema/face.type.js';
import type { User } from '../schema/user.type.js';

/** One user's faces and the last connection made of them. */
class PageFaces {
  private lastArgs: string | undefined;
  private last: Connection<Face> | undefined;

  /** `loaded`: the user's faces, or the error the page's call failed with. */
  constructor(private readonly loaded: readonly FaceRecord[] | Error) {}

  count(): number {
    if (this.loaded instanceof Error) throw this.loaded;
    return this.loaded.length;
  }

  connection(
    first: number,
    after: string | null,
    paginate: (faces: readonly FaceRecord[]) => Connection<Face>,
  ): Connection<Face> | undefined {
    if (this.loaded instanceof Error) throw this.loaded;
    const args = `${first}:${after ?? ''}`;
    if (args !== this.lastArgs || !this.last) {
      this.last = paginate(this.loaded);
      this.lastArgs = args;
    }
    return this.last;
  }
}

/** One user's face count, when its page loaded counts and not faces. */
class PageCount {
  /** `loaded`: the user's face count, or the error the page's call failed with. */
  constructor(private readonly loaded: number | Error) {}

  count(): number {
    if (this.loaded instanceof Error) throw this.loaded;
    return this.loaded;
  }

  connection(): undefined {
    return undefined;
  }
}

/** The faces (or counts) a page loaded for its users, by user object; see the module comment for what is kept and when it goes. */
export class UserFaces {
  private readonly byUser = new WeakMap<User, PageFaces | PageCount>();

  /** Keeps `faces` (or the error loading them failed with) for `user`. */
  keep(user: User, faces: readonly FaceRecord[] | Error): void {
    this.byUser.set(user, new PageFaces(faces));
  }

  /** Keeps `count` (or the error counting failed with) for `user`, whose faces were not loaded. */
  keepCount(user: User, count: number | Error): void {
    this.byUser.set(user, new PageCount(count));
  }

  /**
   * How many faces `user` has, when its page loaded its faces or its count;
   * undefined otherwise (the caller counts itself); throws the page's error.
   */
  count(user: User): number | undefined {
    return this.byUser.get(user)?.count();
  }

  /**
   * The user's faces as a connection, when its page loaded them: the kept
   * one for the same `first` and `after`, else what `paginate` makes of the
   * faces (kept in its place). Undefined when the page did not load them
   * (the caller loads them itself; a page that loaded only counts did not);
   * throws the page's error.
   */
  connection(
    user: User,
    first: number,
    after: string | null,
    paginate: (faces: readonly FaceRecord[]) => Connection<Face>,
  ): Connection<Face> | undefined {
    return this.byUser.get(user)?.connection(first, after, paginate);
  }
}
