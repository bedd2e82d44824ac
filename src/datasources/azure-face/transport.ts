/**
 * The Face REST calls this adapter makes, on `@azure-rest/ai-vision-face`
 * (API v1.2), with the adapter's own retry policy — the SDK's is switched
 * off so that the cap on Retry-After and the rules for non-idempotent calls
 * are ours:
 *
 * - 429 (either body shape) and 409 ConcurrentOperationConflict are retried
 *   on every call: Azure did not perform the request.
 * - 5xx and lost answers (socket errors, timeouts) are retried only on
 *   calls that are safe to repeat (GET, PATCH, DELETE, PUT, train, detect,
 *   identify, verify, findsimilars). A call that creates something with a server-made id
 *   (create person, add face) is retried after such an ambiguous failure
 *   only when it has a `recover` lookup that first finds out whether the
 *   earlier attempt took effect (by a nonce the adapter put in userData).
 * - Waits: Retry-After / retry-after-ms when sent, capped at
 *   `maxRetryAfterMs`; otherwise exponential backoff from `retryBaseDelayMs`
 *   with jitter.
 *
 * Failures come out as {@link AzureServiceError} / {@link AzureTransportError}
 * (mapped to domain errors by ./errors.ts).
 */
import createClient from '@azure-rest/ai-vision-face';
import type { CallOptions } from '../provider.js';
import { AzureServiceError, AzureTransportError } from './errors.js';
import type {
  DetectedFaceOut,
  FaceRectangle,
  IdentifyOut,
  LargeFaceListOut,
  LargePersonGroupOut,
  PersistedFaceOut,
  PersonOut,
  SimilarFaceOut,
  SnapshotOperationOut,
  SnapshotOut,
  TrainingStatusOut,
  VerifyOut,
} from './face-api-shapes.js';

/** Azure's recognition model for every container and detection of this adapter. */
export const RECOGNITION_MODEL = 'recognition_04';

export interface TransportOptions {
  /** `https://<resource>.cognitiveservices.azure.com` (the client appends `/face/v1.2`). */
  endpoint: string;
  apiKey: string;
  /** Attempts per call, first included. */
  maxAttempts: number;
  retryBaseDelayMs: number;
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  /** For tests. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** What a detect asks for. */
export interface DetectOptions {
  returnFaceId: boolean;
  detectionModel: string;
  /** Azure's `returnFaceAttributes` names. @default none */
  attributes?: readonly string[];
  /** Return the 27 landmarks. @default false */
  landmarks?: boolean;
  faceIdTtlSeconds?: number;
  /** The faceIds' recognition model: the container's they are used with. @default {@link RECOGNITION_MODEL} */
  recognitionModel?: string;
}

/** Query of an add-face call. */
export interface AddFaceQuery {
  targetFace: FaceRectangle;
  detectionModel: string;
  userData: string;
}

interface RawResponse {
  status: string;
  body: unknown;
  headers: Record<string, string | undefined>;
}

type Send = (options: { timeout: number; abortSignal?: AbortSignal }) => PromiseLike<RawResponse>;

/** How one Face call may be retried. */
interface RetryRules<T> {
  /** Safe to repeat after a 5xx or a lost answer. */
  safe: boolean;
  /** For unsafe calls: finds the result of an earlier attempt that may have taken effect; null when it did not. */
  recover?: () => Promise<T | null>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const octet = 'application/octet-stream' as const;
const rect = (r: FaceRectangle) => [r.left, r.top, r.width, r.height];

/**
 * Typed Face calls with the adapter's retry policy. Each takes the
 * CallOptions of the provider call it is made for last (undefined for
 * background work): its signal aborts the request and ends the retries.
 */
export class FaceTransport {
  private readonly client: ReturnType<typeof createClient>;
  /** The same resource on API v1.0, for the retired Snapshot API (only called when an instance opts in). */
  private readonly v10: ReturnType<typeof createClient>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TransportOptions) {
    const clientOf = (apiVersion: string) =>
      createClient(
        options.endpoint.replace(/\/+$/, ''),
        { key: options.apiKey },
        {
          // v1.0 is missing from the client's Versions type (the Snapshot API was retired); the client only puts it in the base URL.
          apiVersion: apiVersion as 'v1.2',
          allowInsecureConnection: options.endpoint.startsWith('http:'),
          retryOptions: { maxRetries: 0 },
        },
      );
    this.client = clientOf('v1.2');
    this.v10 = clientOf('v1.0');
    this.sleep = options.sleep ?? sleepFor;
  }

  // ---- v1.0 Snapshot API (§B.3) -------------------------------------------------

  /**
   * POST /snapshots: starts a take of one container (Azure's TakeSnapshotRequest names one `type` and one
   * `objectId`, so a group and its list are two takes); resolves to the id of its operation (from Operation-Location).
   * `userData`: ≤ 16384 characters, kept with the snapshot.
   */
  async takeSnapshot(
    type: 'LargePersonGroup' | 'LargeFaceList',
    objectId: string,
    applyScope: string[],
    userData: string,
    call: CallOptions | undefined,
  ): Promise<string> {
    const response = await this.exchange('TakeSnapshot', { safe: false }, call, (o) =>
      this.v10.pathUnchecked('/snapshots').post({ body: { type, objectId, applyScope, userData }, ...o }),
    );
    return operationIdOf('TakeSnapshot', 'headers' in response ? response.headers : {});
  }

  /** POST /snapshots/{id}/apply (mode CreateNew): resolves to the id of its operation. */
  async applySnapshot(snapshotId: string, objectId: string, call: CallOptions | undefined): Promise<string> {
    const response = await this.exchange('ApplySnapshot', { safe: false }, call, (o) =>
      this.v10.pathUnchecked('/snapshots/{snapshotId}/apply', snapshotId).post({ body: { objectId, mode: 'CreateNew' }, ...o }),
    );
    return operationIdOf('ApplySnapshot', 'headers' in response ? response.headers : {});
  }

  /** DELETE /snapshots/{id} (only the source subscription may). */
  deleteSnapshot(snapshotId: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteSnapshot', { safe: true }, call, (o) =>
      this.v10.pathUnchecked('/snapshots/{snapshotId}', snapshotId).delete(o),
    );
  }

  getSnapshot(snapshotId: string, call: CallOptions | undefined): Promise<SnapshotOut> {
    return this.call('GetSnapshot', { safe: true }, call, (o) => this.v10.pathUnchecked('/snapshots/{snapshotId}', snapshotId).get(o));
  }

  getSnapshotOperation(operationId: string, call: CallOptions | undefined): Promise<SnapshotOperationOut> {
    return this.call('GetSnapshotOperationStatus', { safe: true }, call, (o) =>
      this.v10.pathUnchecked('/operations/{operationId}', operationId).get(o),
    );
  }

  // ---- LargePersonGroup ------------------------------------------------------

  createLargePersonGroup(id: string, body: { name: string; userData: string }, call: CallOptions | undefined): Promise<void> {
    return this.call('CreateLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}', id).put({ body: { ...body, recognitionModel: RECOGNITION_MODEL }, ...o }),
    );
  }

  getLargePersonGroup(id: string, call: CallOptions | undefined): Promise<LargePersonGroupOut> {
    return this.call('GetLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}', id).get({ queryParameters: { returnRecognitionModel: true }, ...o }),
    );
  }

  listLargePersonGroups(start: string | undefined, top: number, call: CallOptions | undefined): Promise<LargePersonGroupOut[]> {
    return this.call('GetLargePersonGroups', { safe: true }, call, (o) =>
      this.client
        .path('/largepersongroups')
        .get({ queryParameters: { ...(start ? { start } : {}), top, returnRecognitionModel: true }, ...o }),
    );
  }

  deleteLargePersonGroup(id: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}', id).delete(o),
    );
  }

  /** Starts training; resolves on 202 (poll {@link getTrainingStatus}). */
  trainLargePersonGroup(id: string, call: CallOptions | undefined): Promise<void> {
    return this.call('TrainLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/train', id).post(o),
    );
  }

  getTrainingStatus(id: string, call: CallOptions | undefined): Promise<TrainingStatusOut> {
    return this.call('GetLargePersonGroupTrainingStatus', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/training', id).get(o),
    );
  }

  // ---- persons -----------------------------------------------------------------

  createPerson(
    groupId: string,
    body: { name: string; userData: string },
    recover: () => Promise<{ personId: string } | null>,
    call: CallOptions | undefined,
  ): Promise<{ personId: string }> {
    return this.call('CreateLargePersonGroupPerson', { safe: false, recover }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/persons', groupId).post({ body, ...o }),
    );
  }

  listPersons(groupId: string, start: string | undefined, top: number, call: CallOptions | undefined): Promise<PersonOut[]> {
    return this.call('GetLargePersonGroupPersons', { safe: true }, call, (o) =>
      this.client
        .path('/largepersongroups/{largePersonGroupId}/persons', groupId)
        .get({ queryParameters: { ...(start ? { start } : {}), top }, ...o }),
    );
  }

  getPerson(groupId: string, personId: string, call: CallOptions | undefined): Promise<PersonOut> {
    return this.call('GetLargePersonGroupPerson', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/persons/{personId}', groupId, personId).get(o),
    );
  }

  deletePerson(groupId: string, personId: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteLargePersonGroupPerson', { safe: true }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/persons/{personId}', groupId, personId).delete(o),
    );
  }

  addPersonFace(
    groupId: string,
    personId: string,
    image: Uint8Array,
    query: AddFaceQuery,
    recover: () => Promise<{ persistedFaceId: string } | null>,
    call: CallOptions | undefined,
  ): Promise<{ persistedFaceId: string }> {
    return this.call('AddLargePersonGroupPersonFace', { safe: false, recover }, call, (o) =>
      this.client.path('/largepersongroups/{largePersonGroupId}/persons/{personId}/persistedfaces', groupId, personId).post({
        contentType: octet,
        body: image,
        queryParameters: {
          targetFace: rect(query.targetFace),
          detectionModel: query.detectionModel as 'detection_03',
          userData: query.userData,
        },
        ...o,
      }),
    );
  }

  getPersonFace(groupId: string, personId: string, persistedFaceId: string, call: CallOptions | undefined): Promise<PersistedFaceOut> {
    return this.call('GetLargePersonGroupPersonFace', { safe: true }, call, (o) =>
      this.client
        .path(
          '/largepersongroups/{largePersonGroupId}/persons/{personId}/persistedfaces/{persistedFaceId}',
          groupId,
          personId,
          persistedFaceId,
        )
        .get(o),
    );
  }

  deletePersonFace(groupId: string, personId: string, persistedFaceId: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteLargePersonGroupPersonFace', { safe: true }, call, (o) =>
      this.client
        .path(
          '/largepersongroups/{largePersonGroupId}/persons/{personId}/persistedfaces/{persistedFaceId}',
          groupId,
          personId,
          persistedFaceId,
        )
        .delete(o),
    );
  }

  // ---- LargeFaceList -------------------------------------------------------------

  /** `recognitionModel`: the group's the list accompanies. @default {@link RECOGNITION_MODEL} */
  createLargeFaceList(
    id: string,
    body: { name: string; userData: string },
    call: CallOptions | undefined,
    recognitionModel: string = RECOGNITION_MODEL,
  ): Promise<void> {
    return this.call('CreateLargeFaceList', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}', id).put({ body: { ...body, recognitionModel }, ...o }),
    );
  }

  getLargeFaceList(id: string, call: CallOptions | undefined): Promise<LargeFaceListOut> {
    return this.call('GetLargeFaceList', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}', id).get({ queryParameters: { returnRecognitionModel: true }, ...o }),
    );
  }

  /** Starts training of the list; resolves on 202 (poll {@link getListTrainingStatus}). */
  trainLargeFaceList(id: string, call: CallOptions | undefined): Promise<void> {
    return this.call('TrainLargeFaceList', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}/train', id).post(o),
    );
  }

  getListTrainingStatus(id: string, call: CallOptions | undefined): Promise<TrainingStatusOut> {
    return this.call('GetLargeFaceListTrainingStatus', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}/training', id).get(o),
    );
  }

  deleteLargeFaceList(id: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteLargeFaceList', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}', id).delete(o),
    );
  }

  addListFace(
    listId: string,
    image: Uint8Array,
    query: AddFaceQuery,
    recover: () => Promise<{ persistedFaceId: string } | null>,
    call: CallOptions | undefined,
  ): Promise<{ persistedFaceId: string }> {
    return this.call('AddLargeFaceListFace', { safe: false, recover }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}/persistedfaces', listId).post({
        contentType: octet,
        body: image,
        queryParameters: {
          targetFace: rect(query.targetFace),
          detectionModel: query.detectionModel as 'detection_03',
          userData: query.userData,
        },
        ...o,
      }),
    );
  }

  listListFaces(listId: string, start: string | undefined, top: number, call: CallOptions | undefined): Promise<PersistedFaceOut[]> {
    return this.call('GetLargeFaceListFaces', { safe: true }, call, (o) =>
      this.client
        .path('/largefacelists/{largeFaceListId}/persistedfaces', listId)
        .get({ queryParameters: { ...(start ? { start } : {}), top }, ...o }),
    );
  }

  updateListFace(listId: string, persistedFaceId: string, userData: string, call: CallOptions | undefined): Promise<void> {
    return this.call('UpdateLargeFaceListFace', { safe: true }, call, (o) =>
      this.client
        .path('/largefacelists/{largeFaceListId}/persistedfaces/{persistedFaceId}', listId, persistedFaceId)
        .patch({ body: { userData }, ...o }),
    );
  }

  deleteListFace(listId: string, persistedFaceId: string, call: CallOptions | undefined): Promise<void> {
    return this.call('DeleteLargeFaceListFace', { safe: true }, call, (o) =>
      this.client.path('/largefacelists/{largeFaceListId}/persistedfaces/{persistedFaceId}', listId, persistedFaceId).delete(o),
    );
  }

  // ---- recognition -----------------------------------------------------------------

  /**
   * Faces largest first; `returnFaceId` needs Limited Access approval; its faceIds live `faceIdTtlSeconds`
   * (60..86400, default 600). `attributes`: Azure's returnFaceAttributes; `landmarks`: the 27 points.
   */
  detect(image: Uint8Array, options: DetectOptions, call: CallOptions | undefined): Promise<DetectedFaceOut[]> {
    const ttl = Math.min(86_400, Math.max(60, Math.ceil(options.faceIdTtlSeconds ?? 600)));
    const attributes = options.attributes ?? [];
    return this.call('Detect', { safe: true }, call, (o) =>
      this.client.path('/detect').post({
        contentType: octet,
        body: image,
        queryParameters: {
          returnFaceId: options.returnFaceId,
          recognitionModel: options.recognitionModel ?? RECOGNITION_MODEL,
          detectionModel: options.detectionModel as 'detection_03',
          ...(options.returnFaceId ? { faceIdTimeToLive: ttl } : {}),
          ...(attributes.length > 0 ? { returnFaceAttributes: attributes as 'headPose'[] } : {}),
          ...(options.landmarks ? { returnFaceLandmarks: true } : {}),
        },
        ...o,
      }),
    );
  }

  /** Verify face-to-face: two detect faceIds of the same recognition model. */
  verifyFaces(faceId1: string, faceId2: string, call: CallOptions | undefined): Promise<VerifyOut> {
    return this.call('VerifyFaceToFace', { safe: true }, call, (o) =>
      this.client.path('/verify').post({ body: { faceId1, faceId2 }, ...o }),
    );
  }

  /** FindSimilar of a detect faceId in a LargeFaceList (needs a finished training of the list). */
  findSimilar(
    listId: string,
    faceId: string,
    maxCandidates: number,
    mode: 'matchPerson' | 'matchFace',
    call: CallOptions | undefined,
  ): Promise<SimilarFaceOut[]> {
    return this.call('FindSimilarFromLargeFaceList', { safe: true }, call, (o) =>
      this.client
        .path('/findsimilars')
        .post({ body: { faceId, largeFaceListId: listId, maxNumOfCandidatesReturned: maxCandidates, mode }, ...o }),
    );
  }

  identify(
    groupId: string,
    faceIds: string[],
    maxCandidates: number,
    confidenceThreshold: number,
    call: CallOptions | undefined,
  ): Promise<IdentifyOut[]> {
    return this.call('IdentifyFromLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/identify').post({
        body: { faceIds, largePersonGroupId: groupId, maxNumOfCandidatesReturned: maxCandidates, confidenceThreshold },
        ...o,
      }),
    );
  }

  verify(groupId: string, faceId: string, personId: string, call: CallOptions | undefined): Promise<VerifyOut> {
    return this.call('VerifyFromLargePersonGroup', { safe: true }, call, (o) =>
      this.client.path('/verify').post({ body: { faceId, personId, largePersonGroupId: groupId }, ...o }),
    );
  }

  // ---- the retry loop ----------------------------------------------------------------

  private async call<T>(operation: string, options: RetryRules<T>, call: CallOptions | undefined, send: Send): Promise<T> {
    const response = await this.exchange(operation, options, call, send);
    return ('recovered' in response ? response.recovered : response.body === '' ? undefined : response.body) as T;
  }

  /** The retry loop; the successful response (or what `recover` found). */
  private async exchange<T>(
    operation: string,
    options: RetryRules<T>,
    call: CallOptions | undefined,
    send: Send,
  ): Promise<RawResponse | { recovered: T }> {
    const { maxAttempts } = this.options;
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      if (ambiguous && options.recover) {
        const found = await options.recover();
        if (found !== null) return { recovered: found };
      }
      // The call's signal (client gone, gateway timeout) aborts the request and ends the retries.
      const abortSignal = call?.signal;
      if (abortSignal?.aborted) throw new AzureTransportError(operation, 'CANCELLED', 'the call was cancelled before this attempt');
      let response: RawResponse;
      try {
        response = await send({ timeout: this.options.requestTimeoutMs, abortSignal });
      } catch (e) {
        if (abortSignal?.aborted) throw new AzureTransportError(operation, 'CANCELLED', 'the call was cancelled during this attempt');
        const failure = transportFailure(operation, e);
        // A refused connection never reached Azure; anything else may have.
        const retry = options.safe || options.recover !== undefined || failure.code === 'ECONNREFUSED';
        if (failure.code !== 'ECONNREFUSED') ambiguous = true;
        if (!retry || attempt >= maxAttempts) throw failure;
        await this.wait(this.backoff(attempt), abortSignal);
        continue;
      }
      const status = Number(response.status);
      if (status >= 200 && status < 300) return response;
      const { code, message } = errorOf(response.body, response.headers, status);
      const retryAfterMs = this.retryAfter(response.headers);
      const rejected = status === 429 || code === '429' || code === 'ConcurrentOperationConflict';
      const serverFault = status >= 500;
      const retry = rejected || (serverFault && (options.safe || options.recover !== undefined));
      if (!retry || attempt >= maxAttempts) throw new AzureServiceError(operation, status, code, message, retryAfterMs, ambiguous);
      if (serverFault) ambiguous = true;
      await this.wait(retryAfterMs ?? this.backoff(attempt), abortSignal);
    }
  }

  /** Sleeps between attempts, cut short when the call is cancelled (the next attempt then does not start). */
  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.sleep(ms);
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      signal.addEventListener('abort', done);
      void this.sleep(ms).then(done);
    });
  }

  private backoff(attempt: number): number {
    const base = this.options.retryBaseDelayMs * 2 ** (attempt - 1);
    const capped = Math.min(base, Math.max(this.options.maxRetryAfterMs, this.options.retryBaseDelayMs));
    return Math.round(capped / 2 + Math.random() * (capped / 2));
  }

  /** Retry-After in ms (retry-after-ms, x-ms-retry-after-ms, or Retry-After seconds/date), capped; null when absent. */
  private retryAfter(headers: Record<string, string | undefined>): number | null {
    const cap = this.options.maxRetryAfterMs;
    const msHeader = headers['retry-after-ms'] ?? headers['x-ms-retry-after-ms'];
    if (msHeader !== undefined) {
      const ms = Number(msHeader);
      if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, cap);
    }
    const raw = headers['retry-after'];
    if (raw === undefined || raw.trim() === '') return null;
    const seconds = Number(raw);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, cap);
    const date = Date.parse(raw);
    if (Number.isFinite(date)) return Math.min(Math.max(date - Date.now(), 0), cap);
    return null;
  }
}

/** Code and message of an error body: `{"error":{code,message}}`, or the older `{"error":{statusCode,message}}`. */
function errorOf(body: unknown, headers: Record<string, string | undefined>, status: number): { code: string; message: string } {
  const error = (body as { error?: { code?: unknown; statusCode?: unknown; message?: unknown } } | null | undefined)?.error;
  let code: string | undefined;
  if (typeof error?.code === 'string' && error.code !== '') code = error.code;
  else if (typeof error?.code === 'number') code = String(error.code);
  else if (error?.statusCode !== undefined && error.statusCode !== null) code = String(error.statusCode);
  code ??= headers['x-ms-error-code'] ?? String(status);
  const message = typeof error?.message === 'string' ? error.message : typeof body === 'string' ? body.slice(0, 200) : '';
  return { code, message };
}

/** The operation id at the end of an Operation-Location header (relative `/operations/{id}` or absolute). */
function operationIdOf(operation: string, headers: Record<string, string | undefined>): string {
  const location = headers['operation-location'] ?? '';
  const id = location.split('?')[0].split('/').filter(Boolean).at(-1);
  if (!id)
    throw new AzureServiceError(
      operation,
      202,
      'MissingOperationLocation',
      `expected an Operation-Location header naming an operation, got ${JSON.stringify(location.slice(0, 100))}`,
      null,
      false,
    );
  return id;
}

function transportFailure(operation: string, e: unknown): AzureTransportError {
  const err = e as { name?: string; code?: unknown; message?: string };
  const code = err?.name === 'AbortError' ? 'TIMEOUT' : typeof err?.code === 'string' && err.code ? err.code : (err?.name ?? 'Error');
  const message = code === 'TIMEOUT' ? 'no response within the request timeout' : String(err?.message ?? e);
  return new AzureTransportError(operation, code, message);
}
