/**
 * The retired Face v1.0 Snapshot API (providers.md §B.3) over the fake's
 * containers: Take and Apply answer 202 with a relative
 * `Operation-Location: /operations/{id}`; GET /operations/{id} reports
 * notstarted → running → succeeded (or failed) on the fake's clock; a
 * snapshot expires 48 hours after its take.
 *
 * The service documents no error codes for these routes, so the fake's are
 * its own (invented, per §B.3): 400 BadArgument for bad bodies, 404
 * SnapshotNotFound (also for an expired, cleaned-up snapshot) and
 * OperationNotFound, 404 LargePersonGroupNotFound / LargeFaceListNotFound
 * for a missing source, 409 LargePersonGroupExists / LargeFaceListExists
 * when Apply's target (mode CreateNew) exists. Also the fake's choices: a
 * take copies the source when requested (Azure: "writes during Take may not
 * be captured"); an apply creates the target when its operation succeeds,
 * keeping person and face ids and training results; resourceLocation is
 * `/snapshots/{id}` for Take and the target object id for Apply.
 *
 * applyScope: "Only subscriptions in applyScope can apply a snapshot"
 * (§B.3, the Snapshot Apply operation doc). The fake's key belongs to one
 * subscription (`subscriptionId`); its Apply of a snapshot whose applyScope
 * does not name it is refused 403 Forbidden (status and code the fake's
 * choice: none is documented).
 *
 * Take quota: "F0 allows 100 Take and 100 Apply operations per month; S0
 * allows 100 per day of each" (providers.md §B.3, from the Snapshot Take
 * operation doc). A take past the quota is refused at once, before any
 * operation exists: 403 QuotaExceeded, the code Azure gives every other
 * Face quota (§B.2's error table; for Snapshot the code is the fake's
 * choice, as §B.3 says none is documented). The fake counts S0's 100 takes
 * in the last 24 hours of its clock unless told otherwise ({@link SnapshotState.setTakeQuota}).
 */
import { randomUUID } from 'node:crypto';
import type { ContainerCopy, FaceRequest, FaceResponse, FaceState } from './service.js';
import { AzureError, badArgument, CONTAINER_ID, checkUserData, parseJsonObject, UUID } from './validation.js';

export const SNAPSHOT_API_PREFIX = '/face/v1.0';

export const SNAPSHOT_ROUTES = [
  { method: 'POST', path: /^\/snapshots$/, op: 'TakeSnapshot' },
  { method: 'GET', path: /^\/snapshots\/([^/]+)$/, op: 'GetSnapshot' },
  { method: 'DELETE', path: /^\/snapshots\/([^/]+)$/, op: 'DeleteSnapshot' },
  { method: 'POST', path: /^\/snapshots\/([^/]+)\/apply$/, op: 'ApplySnapshot' },
  { method: 'GET', path: /^\/operations\/([^/]+)$/, op: 'GetSnapshotOperationStatus' },
] as const;

export type SnapshotOperationName = (typeof SNAPSHOT_ROUTES)[number]['op'];

/** Azure S0's take quota: 100 takes per day (F0: per month). */
export const S0_TAKES_PER_DAY = 100;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Snapshots are cleaned up this long after their take. */
export const SNAPSHOT_LIFETIME_MS = 48 * 60 * 60 * 1000;

type SnapshotType = 'LargePersonGroup' | 'LargeFaceList';
const TYPES: readonly SnapshotType[] = ['LargePersonGroup', 'LargeFaceList'];

interface Snapshot {
  id: string;
  type: SnapshotType;
  applyScope: string[];
  userData?: string;
  content: ContainerCopy;
  createdTime: number;
  /** Visible (GET, apply) once its take succeeded. */
  readyAt: number;
}

interface Operation {
  id: string;
  createdTime: number;
  startAt: number;
  finishAt: number;
  resourceLocation: string;
  /** Runs once when the operation finishes; returns a failure message or null. */
  finish: (() => string | null) | null;
  message?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class SnapshotState {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly operations = new Map<string, Operation>();
  /** When each accepted take was made (fake clock), for the quota. */
  private takes: number[] = [];
  /** Takes allowed per `windowMs` (S0: 100 a day). */
  private takeQuota = { max: S0_TAKES_PER_DAY, windowMs: DAY_MS };

  constructor(
    private readonly faces: FaceState,
    private readonly now: () => number,
    /** How long a take or an apply runs on the fake's clock. */
    public durationMs: () => number,
    /** The Face subscription the fake's key belongs to (lowercase GUID): the applier Apply checks against applyScope. */
    private readonly subscriptionId: string,
  ) {}

  reset(): void {
    this.snapshots.clear();
    this.operations.clear();
    this.takes = [];
    this.takeQuota = { max: S0_TAKES_PER_DAY, windowMs: DAY_MS };
  }

  /** A new quota period: `max` takes per `windowMs`, none counted yet. */
  setTakeQuota(max: number, windowMs: number): void {
    this.takeQuota = { max, windowMs };
    this.takes = [];
  }

  handle(op: SnapshotOperationName, req: FaceRequest): FaceResponse {
    this.settle();
    const [id] = req.params;
    switch (op) {
      case 'TakeSnapshot':
        return this.take(req);
      case 'GetSnapshot': {
        const s = this.snapshot(id);
        return {
          status: 200,
          body: {
            id: s.id,
            account: '/subscriptions/fake/providers/Microsoft.CognitiveServices/accounts/fake',
            type: s.type,
            applyScope: s.applyScope,
            userData: s.userData,
            createdTime: iso(s.createdTime),
            lastUpdateTime: iso(s.createdTime),
          },
        };
      }
      case 'DeleteSnapshot':
        this.snapshot(id);
        this.snapshots.delete(id);
        return { status: 200 };
      case 'ApplySnapshot':
        return this.apply(id, req);
      case 'GetSnapshotOperationStatus':
        return this.status(id);
    }
  }

  /** Finishes operations whose time has come (time is read lazily, on every request). */
  settle(): void {
    for (const op of this.operations.values()) {
      if (op.finish && this.now() >= op.finishAt) {
        const failure = op.finish();
        op.finish = null;
        if (failure !== null) op.message = failure;
      }
    }
  }

  private take(req: FaceRequest): FaceResponse {
    const body = parseJsonObject(req.body);
    if (!TYPES.includes(body.type as SnapshotType)) throw badArgument('Invalid argument type.');
    const type = body.type as SnapshotType;
    if (typeof body.objectId !== 'string' || body.objectId.length > 64 || !CONTAINER_ID.test(body.objectId))
      throw badArgument('Invalid argument objectId.');
    const applyScope = body.applyScope;
    if (!Array.isArray(applyScope) || applyScope.length === 0 || !applyScope.every((s) => typeof s === 'string' && UUID.test(s))) {
      throw badArgument('Invalid argument applyScope.');
    }
    const userData = checkUserData(body.userData, 16_384);
    const content = this.faces.copyContainer(type, body.objectId);
    if (!content)
      throw new AzureError(
        404,
        `${type}NotFound`,
        `${type === 'LargePersonGroup' ? 'Large person group' : 'Large face list'} ${body.objectId} is not found.`,
      );
    const since = this.now() - this.takeQuota.windowMs;
    this.takes = this.takes.filter((t) => t > since);
    if (this.takes.length >= this.takeQuota.max)
      throw new AzureError(403, 'QuotaExceeded', 'Snapshot take number reached subscription level limit.');
    this.takes.push(this.now());
    const snapshot: Snapshot = {
      id: randomUUID(),
      type,
      applyScope: applyScope as string[],
      userData,
      content,
      createdTime: this.now(),
      readyAt: Infinity,
    };
    this.snapshots.set(snapshot.id, snapshot);
    return this.start(`/snapshots/${snapshot.id}`, () => {
      snapshot.readyAt = this.now();
      return null;
    });
  }

  private apply(snapshotId: string, req: FaceRequest): FaceResponse {
    const snapshot = this.snapshot(snapshotId);
    if (!snapshot.applyScope.some((s) => s.toLowerCase() === this.subscriptionId))
      throw new AzureError(403, 'Forbidden', `Subscription ${this.subscriptionId} is not in the apply scope of snapshot ${snapshot.id}.`);
    const body = parseJsonObject(req.body);
    if (typeof body.objectId !== 'string' || body.objectId.length > 64 || !CONTAINER_ID.test(body.objectId))
      throw badArgument('Invalid argument objectId.');
    if (body.mode !== undefined && body.mode !== 'CreateNew') throw badArgument('Invalid argument mode.');
    const target = body.objectId;
    const exists = () =>
      new AzureError(
        409,
        `${snapshot.type}Exists`,
        `${snapshot.type === 'LargePersonGroup' ? 'Large person group' : 'Large face list'} ${target} already exists.`,
      );
    if (this.faces.hasContainer(snapshot.type, target)) throw exists();
    return this.start(target, () =>
      this.faces.restoreContainer(snapshot.type, target, snapshot.content) ? null : `Apply failed: ${exists().message}`,
    );
  }

  private start(resourceLocation: string, finish: () => string | null): FaceResponse {
    const now = this.now();
    const duration = this.durationMs();
    const op: Operation = {
      id: randomUUID(),
      createdTime: now,
      startAt: now + Math.floor(duration / 4),
      finishAt: now + duration,
      resourceLocation,
      finish,
    };
    this.operations.set(op.id, op);
    this.settle();
    return { status: 202, headers: { 'Operation-Location': `/operations/${op.id}` } };
  }

  private status(id: string): FaceResponse {
    const op = this.operations.get(id.toLowerCase());
    if (!op) throw new AzureError(404, 'OperationNotFound', `Operation ${id} is not found.`);
    const now = this.now();
    const status = op.finish === null ? (op.message === undefined ? 'succeeded' : 'failed') : now < op.startAt ? 'notstarted' : 'running';
    return {
      status: 200,
      body: {
        status,
        createdTime: iso(op.createdTime),
        lastActionTime: iso(Math.min(now, op.finishAt)),
        ...(status === 'succeeded' ? { resourceLocation: op.resourceLocation } : {}),
        ...(status === 'failed' ? { message: op.message } : {}),
      },
    };
  }

  /** A snapshot whose take finished and that has not expired; 404 SnapshotNotFound otherwise (expired ones are cleaned up). */
  private snapshot(id: string): Snapshot {
    const s = this.snapshots.get(id.toLowerCase());
    if (s && this.now() >= s.createdTime + SNAPSHOT_LIFETIME_MS) this.snapshots.delete(s.id);
    if (!s || this.now() >= s.createdTime + SNAPSHOT_LIFETIME_MS || this.now() < s.readyAt)
      throw new AzureError(404, 'SnapshotNotFound', `Snapshot ${id} is not found.`);
    return s;
  }
}
