/**
 * The fake Rekognition driven by the real `@aws-sdk/client-rekognition`:
 * wire protocol, every §A.1 constraint family, the §A.2 semantics, error
 * classes as the SDK parses them, ClientRequestToken replay across SDK
 * retries, and fault injection.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AccessDeniedException,
  AssociateFacesCommand,
  ConflictException,
  CreateCollectionCommand,
  CreateUserCommand,
  DeleteCollectionCommand,
  DeleteFacesCommand,
  DeleteUserCommand,
  DescribeCollectionCommand,
  DisassociateFacesCommand,
  IdempotentParameterMismatchException,
  ImageTooLargeException,
  IndexFacesCommand,
  InternalServerError,
  InvalidImageFormatException,
  InvalidPaginationTokenException,
  InvalidParameterException,
  InvalidS3ObjectException,
  ListCollectionsCommand,
  ListFacesCommand,
  ListUsersCommand,
  paginateListCollections,
  paginateListFaces,
  paginateListUsers,
  ProvisionedThroughputExceededException,
  RekognitionClient,
  RekognitionServiceException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SearchUsersByImageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  type Face,
} from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakePng, startFakeRekognition, type DeclaredFace, type FakeRekognition } from './server.js';

let fake: FakeRekognition;
let client: RekognitionClient;

const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };
const newClient = (extra: { maxAttempts?: number; requestTimeout?: number } = {}) =>
  new RekognitionClient({
    endpoint: fake.url,
    region: 'us-east-1',
    credentials,
    maxAttempts: extra.maxAttempts ?? 1,
    ...(extra.requestTimeout ? { requestHandler: { requestTimeout: extra.requestTimeout, throwOnRequestTimeout: true } } : {}),
  });

beforeAll(async () => {
  fake = await startFakeRekognition();
  client = newClient();
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});
beforeEach(() => fake.reset({ images: true }));

/** The error a promise rejects with. */
async function failure(
  p: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; $fault?: string; code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, got success');
}

let labels = 0;
/** A unique valid PNG with the given faces (or the default single face). */
const png = (faces?: DeclaredFace[]) => fakePng({ label: `img-${++labels}`, faces });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A minimal JPEG: SOI, APP0 (JFIF), SOF0 with the given size, EOI. Enough for any header reader. */
function jpeg(width: number, height: number, salt: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, salt & 0xff, 0x00, 0x00];
  const sof0 = [0xff, 0xc0, 0x00, 0x0b, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x01, 0x01, 0x11, 0x00];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}

async function collection(id = `c-${randomUUID().slice(0, 8)}`): Promise<string> {
  await client.send(new CreateCollectionCommand({ CollectionId: id }));
  return id;
}

async function indexOne(collectionId: string, image: Uint8Array, extra: { ExternalImageId?: string } = {}): Promise<string> {
  const out = await client.send(new IndexFacesCommand({ CollectionId: collectionId, Image: { Bytes: image }, ...extra }));
  expect(out.FaceRecords).toHaveLength(1);
  return out.FaceRecords?.[0].Face?.FaceId as string;
}

async function post(target: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': target,
      Authorization: 'AWS4-HMAC-SHA256 Credential=AKIDFAKE/20260101/us-east-1/rekognition/aws4_request, SignedHeaders=host, Signature=00',
      ...headers,
    },
    body,
  });
}

// ---------------------------------------------------------------------------

describe('wire protocol (awsJson1_1)', () => {
  it('answers 200 application/x-amz-json-1.1 with x-amzn-RequestId, which the SDK exposes', async () => {
    const res = await post('RekognitionService.CreateCollection', JSON.stringify({ CollectionId: 'wire' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toEqual({
      StatusCode: 200,
      CollectionArn: 'arn:aws:rekognition:us-east-1:123456789012:collection/wire',
      FaceModelVersion: '7.0',
    });
    const out = await client.send(new DescribeCollectionCommand({ CollectionId: 'wire' }));
    expect(out.$metadata.requestId).toBe(fake.calls.at(-1)?.requestId);
    expect(out.CollectionARN).toBe('arn:aws:rekognition:us-east-1:123456789012:collection/wire');
  });

  it('sends timestamps as epoch seconds, which the SDK parses to Dates', async () => {
    await collection('ts');
    const raw = (await (await post('RekognitionService.DescribeCollection', '{"CollectionId":"ts"}')).json()) as {
      CreationTimestamp: number;
    };
    expect(typeof raw.CreationTimestamp).toBe('number');
    expect(Math.abs(raw.CreationTimestamp - Date.now() / 1000)).toBeLessThan(60);
    const out = await client.send(new DescribeCollectionCommand({ CollectionId: 'ts' }));
    expect(out.CreationTimestamp).toBeInstanceOf(Date);
    expect(Math.abs((out.CreationTimestamp as Date).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('decodes Image.Bytes from base64 (the call log shows the decoded bytes)', async () => {
    const id = await collection();
    const image = png();
    await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: image } }));
    const call = fake.callsTo('IndexFaces')[0];
    expect(call.params.Image).toEqual({ Bytes: { byteLength: image.byteLength, sha256: sha(image) } });
  });

  it('answers errors as {__type, Code, Logref, Message} with status, x-amzn-RequestId and x-amzn-ErrorType', async () => {
    const res = await post('RekognitionService.DescribeCollection', '{"CollectionId":"nope"}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['Code', 'Logref', 'Message', '__type']);
    expect(body).toMatchObject({
      __type: 'ResourceNotFoundException',
      Code: 'ResourceNotFoundException',
      Message: 'The collection id: nope does not exist',
    });
  });

  it('the SDK parses error bodies into the modelled exception classes', async () => {
    const e = await failure(client.send(new DescribeCollectionCommand({ CollectionId: 'missing' })));
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    expect(e).toBeInstanceOf(RekognitionServiceException);
    expect(e.message).toBe('The collection id: missing does not exist');
    expect(e.$fault).toBe('client');
    expect(e.$metadata?.httpStatusCode).toBe(400);
    expect((e as ResourceNotFoundException).Logref).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses unknown targets, other content types, missing auth, malformed JSON, wrong JSON types and other routes', async () => {
    const type = async (res: Response) => [res.status, ((await res.json()) as { __type: string }).__type];
    expect(await type(await post('RekognitionService.DetectLabels', '{}'))).toEqual([400, 'UnknownOperationException']);
    expect(await type(await post('OtherService.ListCollections', '{}'))).toEqual([400, 'UnknownOperationException']);
    expect(await type(await post('RekognitionService.ListCollections', '{}', { 'Content-Type': 'application/json' }))).toEqual([
      400,
      'SerializationException',
    ]);
    expect(await type(await post('RekognitionService.ListCollections', '{}', { Authorization: '' }))).toEqual([
      400,
      'MissingAuthenticationTokenException',
    ]);
    expect(await type(await post('RekognitionService.ListCollections', '{"MaxResults":'))).toEqual([400, 'SerializationException']);
    expect(await type(await post('RekognitionService.ListCollections', '{"MaxResults":"10"}'))).toEqual([400, 'SerializationException']);
    expect(await type(await post('RekognitionService.ListCollections', '{"MaxResults":1.5}'))).toEqual([400, 'SerializationException']);
    expect(await type(await post('RekognitionService.CreateCollection', '{"CollectionId":7}'))).toEqual([400, 'SerializationException']);
    expect(await type(await post('RekognitionService.IndexFaces', '{"CollectionId":"c","Image":{"Bytes":"not base64!"}}'))).toEqual([
      400,
      'SerializationException',
    ]);
    const get = await fetch(`${fake.url}/`);
    expect(get.status).toBe(404);
    // An empty body is an empty input.
    expect((await post('RekognitionService.ListCollections', '')).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------

describe('field constraints (§A.1) → InvalidParameterException with AWS-style messages', () => {
  const uuid = () => randomUUID();
  const tooBig = new Uint8Array(5 * 1024 * 1024 + 1);
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      'collectionId pattern',
      () => client.send(new DescribeCollectionCommand({ CollectionId: 'bad id!' })),
      /^1 validation error detected: Value 'bad id!' at 'collectionId' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_\.\\-\]\+$/,
    ],
    [
      'collectionId min length',
      () => client.send(new CreateCollectionCommand({ CollectionId: '' })),
      /Value '' at 'collectionId' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    ],
    [
      'collectionId max length',
      () => client.send(new DeleteCollectionCommand({ CollectionId: 'a'.repeat(256) })),
      /at 'collectionId' failed to satisfy constraint: Member must have length less than or equal to 255/,
    ],
    [
      'required member',
      () => client.send(new CreateCollectionCommand({} as never)),
      /^1 validation error detected: Value null at 'collectionId' failed to satisfy constraint: Member must not be null$/,
    ],
    [
      'tag key pattern (aws: prefix)',
      () => client.send(new CreateCollectionCommand({ CollectionId: 't', Tags: { 'aws:x': 'v' } })),
      /at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: \[Member must satisfy regular expression pattern/,
    ],
    [
      'tag value length',
      () => client.send(new CreateCollectionCommand({ CollectionId: 't', Tags: { k: 'v'.repeat(257) } })),
      /Map value must satisfy constraint: \[Member must have length less than or equal to 256\]/,
    ],
    [
      'tags count',
      () =>
        client.send(
          new CreateCollectionCommand({
            CollectionId: 't',
            Tags: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v'])),
          }),
        ),
      /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200/,
    ],
    [
      'ListCollections MaxResults range',
      () => client.send(new ListCollectionsCommand({ MaxResults: 4097 })),
      /Value '4097' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 4096/,
    ],
    [
      'NextToken length',
      () => client.send(new ListCollectionsCommand({ NextToken: 'x'.repeat(256) })),
      /at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 255/,
    ],
    [
      'ExternalImageId pattern',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { Bytes: png() }, ExternalImageId: 'a b' })),
      /Value 'a b' at 'externalImageId' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_\.\\-:\]\+/,
    ],
    [
      'MaxFaces minimum',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { Bytes: png() }, MaxFaces: 0 })),
      /Value '0' at 'maxFaces' failed to satisfy constraint: Member must have value greater than or equal to 1/,
    ],
    [
      'QualityFilter enum',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { Bytes: png() }, QualityFilter: 'BEST' as never })),
      /Value 'BEST' at 'qualityFilter' failed to satisfy constraint: Member must satisfy enum value set: \[NONE, AUTO, LOW, MEDIUM, HIGH\]/,
    ],
    [
      'DetectionAttributes members',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { Bytes: png() }, DetectionAttributes: ['NOSE' as never] })),
      /Value '\[NOSE\]' at 'detectionAttributes' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[DEFAULT, ALL/,
    ],
    [
      'Image.Bytes min length',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { Bytes: new Uint8Array(0) } })),
      /at 'image.bytes' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    ],
    [
      'Image.Bytes over 5 MiB',
      () => client.send(new SearchUsersByImageCommand({ CollectionId: 'c', Image: { Bytes: tooBig } })),
      /^1 validation error detected: Value 'java\.nio\.HeapByteBuffer\[pos=0 lim=5242881 cap=5242881\]' at 'image\.bytes' failed to satisfy constraint: Member must have length less than or equal to 5242880$/,
    ],
    [
      'S3Object.Bucket length',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c', Image: { S3Object: { Bucket: 'ab', Name: 'x.png' } } })),
      /at 'image.s3Object.bucket' failed to satisfy constraint: Member must have length greater than or equal to 3/,
    ],
    [
      'Image required',
      () => client.send(new IndexFacesCommand({ CollectionId: 'c' } as never)),
      /Value null at 'image' failed to satisfy constraint: Member must not be null/,
    ],
    [
      'UserId max length',
      () => client.send(new ListFacesCommand({ CollectionId: 'c', UserId: 'u'.repeat(129) })),
      /at 'userId' failed to satisfy constraint: Member must have length less than or equal to 128/,
    ],
    [
      'UserId pattern',
      () => client.send(new CreateUserCommand({ CollectionId: 'c', UserId: 'a/b' })),
      /Value 'a\/b' at 'userId' failed to satisfy constraint: Member must satisfy regular expression pattern: \[a-zA-Z0-9_\.\\-:\]\+/,
    ],
    [
      'FaceIds min items',
      () => client.send(new ListFacesCommand({ CollectionId: 'c', FaceIds: [] })),
      /Value '\[\]' at 'faceIds' failed to satisfy constraint: Member must have length greater than or equal to 1/,
    ],
    [
      'FaceIds max items (ListFaces 4096)',
      () => client.send(new ListFacesCommand({ CollectionId: 'c', FaceIds: Array.from({ length: 4097 }, uuid) })),
      /at 'faceIds' failed to satisfy constraint: Member must have length less than or equal to 4096/,
    ],
    [
      'FaceIds member pattern',
      () => client.send(new DeleteFacesCommand({ CollectionId: 'c', FaceIds: [uuid().toUpperCase()] })),
      /at 'faceIds' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy regular expression pattern: \[0-9a-f\]\{8\}/,
    ],
    [
      'ListFaces MaxResults minimum',
      () => client.send(new ListFacesCommand({ CollectionId: 'c', MaxResults: -1 })),
      /Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0/,
    ],
    [
      'ClientRequestToken length',
      () => client.send(new CreateUserCommand({ CollectionId: 'c', UserId: 'u', ClientRequestToken: 't'.repeat(65) })),
      /at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 64/,
    ],
    [
      'ClientRequestToken pattern',
      () => client.send(new DeleteUserCommand({ CollectionId: 'c', UserId: 'u', ClientRequestToken: 'a.b' })),
      /Value 'a\.b' at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \^\[a-zA-Z0-9-_\]\+\$/,
    ],
    [
      'ListUsers MaxResults minimum',
      () => client.send(new ListUsersCommand({ CollectionId: 'c', MaxResults: 0 })),
      /Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1/,
    ],
    [
      'ListUsers MaxResults maximum',
      () => client.send(new ListUsersCommand({ CollectionId: 'c', MaxResults: 501 })),
      /Member must have value less than or equal to 500/,
    ],
    [
      'AssociateFaces FaceIds max items',
      () => client.send(new AssociateFacesCommand({ CollectionId: 'c', UserId: 'u', FaceIds: Array.from({ length: 101 }, uuid) })),
      /at 'faceIds' failed to satisfy constraint: Member must have length less than or equal to 100/,
    ],
    [
      'UserMatchThreshold maximum',
      () => client.send(new AssociateFacesCommand({ CollectionId: 'c', UserId: 'u', FaceIds: [uuid()], UserMatchThreshold: 100.5 })),
      /Value '100\.5' at 'userMatchThreshold' failed to satisfy constraint: Member must have value less than or equal to 100/,
    ],
    [
      'DisassociateFaces FaceIds required',
      () => client.send(new DisassociateFacesCommand({ CollectionId: 'c', UserId: 'u' } as never)),
      /Value null at 'faceIds' failed to satisfy constraint: Member must not be null/,
    ],
    [
      'SearchUsersByImage MaxUsers range',
      () => client.send(new SearchUsersByImageCommand({ CollectionId: 'c', Image: { Bytes: png() }, MaxUsers: 501 })),
      /at 'maxUsers' failed to satisfy constraint: Member must have value less than or equal to 500/,
    ],
    [
      'SearchUsersByImage UserMatchThreshold minimum',
      () => client.send(new SearchUsersByImageCommand({ CollectionId: 'c', Image: { Bytes: png() }, UserMatchThreshold: -1 })),
      /at 'userMatchThreshold' failed to satisfy constraint: Member must have value greater than or equal to 0/,
    ],
    [
      'several violations at once',
      () => client.send(new ListUsersCommand({ CollectionId: 'x y', MaxResults: 0 })),
      /^2 validation errors detected: Value 'x y' at 'collectionId' failed to satisfy constraint: .+; Value '0' at 'maxResults' failed to satisfy constraint: /,
    ],
  ];

  it.each(cases)('%s', async (_name, send, message) => {
    const e = await failure(send());
    expect(e).toBeInstanceOf(InvalidParameterException);
    expect(e.$metadata?.httpStatusCode).toBe(400);
    expect(e.message).toMatch(message);
  });

  it('validation comes before existence: nothing is written by an invalid call', async () => {
    await failure(client.send(new CreateCollectionCommand({ CollectionId: 'ok', Tags: { 'aws:x': 'v' } })));
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([]);
  });
});

// ---------------------------------------------------------------------------

describe('collections', () => {
  it('creates, describes with counts, lists and deletes; ids are case-sensitive', async () => {
    const out = await client.send(new CreateCollectionCommand({ CollectionId: 'Family', Tags: { team: 'a' } }));
    expect(out.StatusCode).toBe(200);
    await collection('family');
    const id = 'Family';
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u1' }));
    await indexOne(id, png());
    const d = await client.send(new DescribeCollectionCommand({ CollectionId: id }));
    expect(d).toMatchObject({ FaceCount: 1, UserCount: 1, FaceModelVersion: '7.0' });
    const list = await client.send(new ListCollectionsCommand({}));
    expect(list.CollectionIds).toEqual(['Family', 'family']);
    expect(list.FaceModelVersions).toEqual(['7.0', '7.0']);
    expect(list.NextToken).toBeUndefined();
    expect((await client.send(new DeleteCollectionCommand({ CollectionId: 'family' }))).StatusCode).toBe(200);
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['Family']);
  });

  it('ResourceAlreadyExistsException on a duplicate, ResourceNotFoundException on unknown ids', async () => {
    await collection('dup');
    const e = await failure(client.send(new CreateCollectionCommand({ CollectionId: 'dup' })));
    expect(e).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(e.message).toBe('The collection id: dup already exists.');
    expect(await failure(client.send(new DeleteCollectionCommand({ CollectionId: 'gone' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(client.send(new ListUsersCommand({ CollectionId: 'gone' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(client.send(new ListFacesCommand({ CollectionId: 'gone' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages with MaxResults/NextToken (SDK paginator) and refuses foreign tokens', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) await collection(id);
    const first = await client.send(new ListCollectionsCommand({ MaxResults: 2 }));
    expect(first.CollectionIds).toEqual(['c1', 'c2']);
    expect(first.NextToken).toBeDefined();
    expect((first.NextToken as string).length).toBeLessThanOrEqual(255);
    // Tokens are reusable.
    const again = await client.send(new ListCollectionsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    const twice = await client.send(new ListCollectionsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(again.CollectionIds).toEqual(['c3', 'c4']);
    expect(twice.CollectionIds).toEqual(['c3', 'c4']);
    const ids: string[] = [];
    for await (const page of paginateListCollections({ client, pageSize: 2 }, {})) ids.push(...(page.CollectionIds ?? []));
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const bad = await failure(client.send(new ListCollectionsCommand({ NextToken: 'garbage' })));
    expect(bad).toBeInstanceOf(InvalidPaginationTokenException);
    const usersToken = await (async () => {
      for (const u of ['a', 'b']) await client.send(new CreateUserCommand({ CollectionId: 'c1', UserId: u }));
      return (await client.send(new ListUsersCommand({ CollectionId: 'c1', MaxResults: 1 }))).NextToken;
    })();
    expect(await failure(client.send(new ListCollectionsCommand({ NextToken: usersToken })))).toBeInstanceOf(
      InvalidPaginationTokenException,
    );
  });

  it('deleting a collection removes its users and faces', async () => {
    const id = await collection();
    await indexOne(id, png());
    await client.send(new DeleteCollectionCommand({ CollectionId: id }));
    await collection(id);
    expect(await client.send(new DescribeCollectionCommand({ CollectionId: id }))).toMatchObject({ FaceCount: 0, UserCount: 0 });
  });
});

// ---------------------------------------------------------------------------

describe('IndexFaces and face detection', () => {
  it('an undeclared PNG is one unassociated face; the record carries ids, box and confidence', async () => {
    const id = await collection();
    const out = await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: png() }, ExternalImageId: 'img:1' }));
    expect(out.FaceModelVersion).toBe('7.0');
    expect(out.UnindexedFaces).toEqual([]);
    expect(out.OrientationCorrection).toBeUndefined();
    const face = out.FaceRecords?.[0].Face as Face;
    expect(face.FaceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(face.ImageId).toMatch(/^[0-9a-f]{8}-/);
    expect(face).toMatchObject({
      ExternalImageId: 'img:1',
      Confidence: 99.9,
      BoundingBox: { Left: 0.25, Top: 0.25, Width: 0.5, Height: 0.5 },
    });
    expect(face.UserId).toBeUndefined();
    expect(out.FaceRecords?.[0].FaceDetail?.BoundingBox).toEqual({ Left: 0.25, Top: 0.25, Width: 0.5, Height: 0.5 });
  });

  it('reads JPEGs too; non-images are InvalidImageFormatException, huge images ImageTooLargeException, S3 InvalidS3ObjectException', async () => {
    const id = await collection();
    expect((await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: jpeg(640, 480, 1) } }))).FaceRecords).toHaveLength(
      1,
    );
    const notImage = await failure(
      client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: new TextEncoder().encode('hello') } })),
    );
    expect(notImage).toBeInstanceOf(InvalidImageFormatException);
    expect(notImage.message).toBe('Request has invalid image format');
    const truncated = png().slice(0, 40);
    expect(await failure(client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: truncated } })))).toBeInstanceOf(
      InvalidImageFormatException,
    );
    const headerOnly = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    expect(await failure(client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: headerOnly } })))).toBeInstanceOf(
      InvalidImageFormatException,
    );
    const huge = fakePng({ width: 12_000, height: 100, label: 'huge' });
    const tooLarge = await failure(client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: huge } })));
    expect(tooLarge).toBeInstanceOf(ImageTooLargeException);
    const declaredHuge = png();
    fake.declareImage(declaredHuge, [{ identity: 'x' }], { width: 20_000, height: 20_000 });
    expect(await failure(client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: declaredHuge } })))).toBeInstanceOf(
      ImageTooLargeException,
    );
    const s3 = await failure(
      client.send(new IndexFacesCommand({ CollectionId: id, Image: { S3Object: { Bucket: 'bucket', Name: 'a.png' } } })),
    );
    expect(s3).toBeInstanceOf(InvalidS3ObjectException);
    const unknownCollection = await failure(client.send(new IndexFacesCommand({ CollectionId: 'nope', Image: { Bytes: png() } })));
    expect(unknownCollection).toBeInstanceOf(ResourceNotFoundException);
  });

  it('declared faces: largest first, MaxFaces → EXCEEDS_MAX_FACES, quality filter reasons, NONE indexes everything', async () => {
    const id = await collection();
    const image = png();
    fake.declareImage(image, [
      { identity: 'small', box: { left: 0, top: 0, width: 0.2, height: 0.2 } },
      { identity: 'large', box: { left: 0.5, top: 0.5, width: 0.4, height: 0.4 } },
      { identity: 'tiny', box: { left: 0.9, top: 0.9, width: 0.02, height: 0.02 } },
      { identity: 'blurry', box: { left: 0.3, top: 0.1, width: 0.1, height: 0.1 }, confidence: 30 },
      { identity: 'sideways', box: { left: 0.1, top: 0.6, width: 0.15, height: 0.15 }, qualityIssues: ['EXTREME_POSE'] },
      { identity: 'mid', box: { left: 0.6, top: 0, width: 0.3, height: 0.3 } },
    ]);
    const out = await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: image }, MaxFaces: 2 }));
    expect(out.FaceRecords?.map((r) => r.FaceDetail?.BoundingBox?.Width)).toEqual([0.4, 0.3]);
    const reasons = out.UnindexedFaces?.map((u) => [u.FaceDetail?.BoundingBox?.Width, u.Reasons]);
    expect(reasons).toEqual([
      [0.2, ['EXCEEDS_MAX_FACES']],
      [0.15, ['EXTREME_POSE']],
      [0.1, ['LOW_CONFIDENCE']],
      [0.02, ['SMALL_BOUNDING_BOX']],
    ]);
    const none = await client.send(
      new IndexFacesCommand({ CollectionId: id, Image: { Bytes: image }, QualityFilter: 'NONE', ExternalImageId: 'all' }),
    );
    expect(none.FaceRecords).toHaveLength(6);
    expect(none.UnindexedFaces).toEqual([]);
  });

  it('faces embedded in a PNG text chunk are detected without a declaration', async () => {
    const id = await collection();
    const out = await client.send(
      new IndexFacesCommand({
        CollectionId: id,
        Image: { Bytes: png([{ identity: 'a' }, { identity: 'b', box: { left: 0, top: 0, width: 0.1, height: 0.1 } }]) },
      }),
    );
    expect(out.FaceRecords?.map((r) => r.Face?.BoundingBox?.Width)).toEqual([0.5, 0.1]);
    const empty = await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: png([]) } }));
    expect(empty.FaceRecords).toEqual([]);
  });

  it('the same image with the same ExternalImageId saves no duplicates; another ExternalImageId does', async () => {
    const id = await collection();
    const image = png();
    const a = await indexOne(id, image, { ExternalImageId: 'x' });
    expect(await indexOne(id, image, { ExternalImageId: 'x' })).toBe(a);
    const b = await indexOne(id, image, { ExternalImageId: 'y' });
    expect(b).not.toBe(a);
    const c = await indexOne(id, image);
    expect(await indexOne(id, image)).toBe(c);
    expect((await client.send(new DescribeCollectionCommand({ CollectionId: id }))).FaceCount).toBe(3);
  });
});

// ---------------------------------------------------------------------------

describe('ListFaces and DeleteFaces', () => {
  it('lists in index order with UserId / FaceIds filters and pagination', async () => {
    const id = await collection();
    const faces: string[] = [];
    for (let i = 0; i < 5; i++) faces.push(await indexOne(id, png([{ identity: 'p' }])));
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'p' }));
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'p', FaceIds: [faces[1], faces[3]] }));

    const all = await client.send(new ListFacesCommand({ CollectionId: id }));
    expect(all.Faces?.map((f) => f.FaceId)).toEqual(faces);
    expect(all.FaceModelVersion).toBe('7.0');
    expect(all.Faces?.[1].UserId).toBe('p');
    const byUser = await client.send(new ListFacesCommand({ CollectionId: id, UserId: 'p' }));
    expect(byUser.Faces?.map((f) => f.FaceId)).toEqual([faces[1], faces[3]]);
    const unknownUser = await client.send(new ListFacesCommand({ CollectionId: id, UserId: 'nobody' }));
    expect(unknownUser.Faces).toEqual([]);
    const byIds = await client.send(new ListFacesCommand({ CollectionId: id, FaceIds: [faces[4], faces[0], randomUUID()] }));
    expect(byIds.Faces?.map((f) => f.FaceId)).toEqual([faces[0], faces[4]]);

    const paged: string[] = [];
    for await (const page of paginateListFaces({ client, pageSize: 2 }, { CollectionId: id })) {
      expect((page.Faces ?? []).length).toBeLessThanOrEqual(2);
      paged.push(...(page.Faces ?? []).map((f) => f.FaceId as string));
    }
    expect(paged).toEqual(faces);
    const userPage = await client.send(new ListFacesCommand({ CollectionId: id, UserId: 'p', MaxResults: 1 }));
    expect(userPage.NextToken).toBeDefined();
    // A token only continues the listing (collection + filters) that issued it.
    const foreign = await failure(client.send(new ListFacesCommand({ CollectionId: id, NextToken: userPage.NextToken })));
    expect(foreign).toBeInstanceOf(InvalidPaginationTokenException);
    const next = await client.send(new ListFacesCommand({ CollectionId: id, UserId: 'p', MaxResults: 1, NextToken: userPage.NextToken }));
    expect(next.Faces?.map((f) => f.FaceId)).toEqual([faces[3]]);
  });

  it('DeleteFaces deletes unassociated faces and reports FACE_NOT_FOUND / ASSOCIATED_TO_AN_EXISTING_USER', async () => {
    const id = await collection();
    const free = await indexOne(id, png());
    const owned = await indexOne(id, png());
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'owner' }));
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'owner', FaceIds: [owned] }));
    const missing = randomUUID();
    const out = await client.send(new DeleteFacesCommand({ CollectionId: id, FaceIds: [free, owned, missing] }));
    expect(out.DeletedFaces).toEqual([free]);
    expect(out.UnsuccessfulFaceDeletions).toEqual([
      { FaceId: owned, UserId: 'owner', Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] },
      { FaceId: missing, Reasons: ['FACE_NOT_FOUND'] },
    ]);
    expect((await client.send(new ListFacesCommand({ CollectionId: id }))).Faces?.map((f) => f.FaceId)).toEqual([owned]);
  });
});

// ---------------------------------------------------------------------------

describe('users', () => {
  it('CreateUser answers {}; duplicates are ConflictException; unknown collection ResourceNotFoundException', async () => {
    const id = await collection();
    const out = await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'alice' }));
    expect(Object.keys(out).filter((k) => k !== '$metadata')).toEqual([]);
    const dup = await failure(client.send(new CreateUserCommand({ CollectionId: id, UserId: 'alice' })));
    expect(dup).toBeInstanceOf(ConflictException);
    expect(await failure(client.send(new CreateUserCommand({ CollectionId: 'nope', UserId: 'alice' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    // The SDK filled a ClientRequestToken (UUIDv4) on its own.
    expect(fake.callsTo('CreateUser')[0].params.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ListUsers: every user once, in one stable order across pages, status CREATED / ACTIVE', async () => {
    const id = await collection();
    for (const u of ['zed', 'amy', 'bob']) await client.send(new CreateUserCommand({ CollectionId: id, UserId: u }));
    const face = await indexOne(id, png());
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'amy', FaceIds: [face] }));
    const out = await client.send(new ListUsersCommand({ CollectionId: id }));
    // AWS promises the order of a system-generated key, not creation or UserId order: compare as sets.
    expect([...(out.Users ?? [])].sort((a, b) => ((a.UserId as string) < (b.UserId as string) ? -1 : 1))).toEqual([
      { UserId: 'amy', UserStatus: 'ACTIVE' },
      { UserId: 'bob', UserStatus: 'CREATED' },
      { UserId: 'zed', UserStatus: 'CREATED' },
    ]);
    const ids: string[] = [];
    for await (const page of paginateListUsers({ client, pageSize: 1 }, { CollectionId: id }))
      ids.push(...(page.Users ?? []).map((u) => u.UserId as string));
    expect(ids).toEqual(out.Users?.map((u) => u.UserId));
  });

  it('ListUsers sorts by a system key: not creation order, not UserId order (20 users), and the same on every listing', async () => {
    const id = await collection();
    const users = Array.from({ length: 20 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    for (const u of users) await client.send(new CreateUserCommand({ CollectionId: id, UserId: u }));
    const listed = (await client.send(new ListUsersCommand({ CollectionId: id }))).Users?.map((u) => u.UserId);
    expect([...(listed ?? [])].sort()).toEqual(users);
    // Creation order and UserId order are the same here; a random key matches it once in 20! listings.
    expect(listed).not.toEqual(users);
    expect((await client.send(new ListUsersCommand({ CollectionId: id }))).Users?.map((u) => u.UserId)).toEqual(listed);
  });

  it('UserStatus UPDATING for the configured window of requests after a change, counting its own response; then ACTIVE', async () => {
    const id = await collection();
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u' }));
    const face = await indexOne(id, png());
    fake.setUserUpdatingWindow(3);
    const out = await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    expect(out.UserStatus).toBe('UPDATING');
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await client.send(new ListUsersCommand({ CollectionId: id }))).Users?.[0].UserStatus as string);
    expect(statuses).toEqual(['UPDATING', 'UPDATING', 'ACTIVE']);
    // A call that changes nothing (the face is already the user's) starts no window.
    const again = await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    expect(again.UserStatus).toBe('ACTIVE');
    const gone = await client.send(new DisassociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    expect(gone.UserStatus).toBe('UPDATING');
    fake.setUserUpdatingWindow(0);
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    expect((await client.send(new ListUsersCommand({ CollectionId: id }))).Users?.[0].UserStatus).toBe('ACTIVE');
    expect(() => fake.setUserUpdatingWindow(-1)).toThrow(/integer ≥ 0/);
  });

  it('DeleteUser disassociates the faces, then deletes; unknown or deleted users are ResourceNotFoundException', async () => {
    const id = await collection();
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u' }));
    const face = await indexOne(id, png());
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    await client.send(new DeleteUserCommand({ CollectionId: id, UserId: 'u' }));
    const faces = await client.send(new ListFacesCommand({ CollectionId: id }));
    expect(faces.Faces?.map((f) => [f.FaceId, f.UserId])).toEqual([[face, undefined]]);
    expect((await client.send(new ListUsersCommand({ CollectionId: id }))).Users).toEqual([]);
    expect(await failure(client.send(new DeleteUserCommand({ CollectionId: id, UserId: 'u' })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await failure(client.send(new DeleteUserCommand({ CollectionId: 'nope', UserId: 'u' })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

// ---------------------------------------------------------------------------

describe('AssociateFaces / DisassociateFaces', () => {
  let id: string;
  const faceOf = (identity: string) => indexOne(id, png([{ identity }]));
  beforeEach(async () => {
    id = await collection();
    for (const u of ['alice', 'bob']) await client.send(new CreateUserCommand({ CollectionId: id, UserId: u }));
  });

  it("associates, ignores faces already the user's, and reports each unsuccessful reason", async () => {
    const [a1, a2, b1, stranger] = [await faceOf('alice'), await faceOf('alice'), await faceOf('bob'), await faceOf('carol')];
    const first = await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [a1] }));
    expect(first.AssociatedFaces).toEqual([{ FaceId: a1 }]);
    expect(first.UnsuccessfulFaceAssociations).toEqual([]);
    expect(first.UserStatus).toBe('ACTIVE');
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'bob', FaceIds: [b1] }));

    const missing = randomUUID();
    const out = await client.send(
      new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [a1, a2, b1, stranger, missing] }),
    );
    expect(out.AssociatedFaces).toEqual([{ FaceId: a2 }]);
    const unsuccessful = out.UnsuccessfulFaceAssociations ?? [];
    expect(unsuccessful.map((u) => [u.FaceId, u.Reasons, u.UserId])).toEqual([
      [b1, ['ASSOCIATED_TO_A_DIFFERENT_USER'], 'bob'],
      [stranger, ['LOW_MATCH_CONFIDENCE'], undefined],
      [missing, ['FACE_NOT_FOUND'], undefined],
    ]);
    // a1 (already alice's) appears in neither list; LOW_MATCH_CONFIDENCE carries the best similarity.
    expect(unsuccessful[1].Confidence).toBeLessThan(50);
    // Threshold 0 accepts anyone; the threshold does not apply to a user with no face yet.
    const low = await client.send(
      new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [stranger], UserMatchThreshold: 0 }),
    );
    expect(low.AssociatedFaces).toEqual([{ FaceId: stranger }]);
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'carol' }));
    const anyFirst = await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'carol', FaceIds: [await faceOf('dave')] }));
    expect(anyFirst.AssociatedFaces).toHaveLength(1);
  });

  it('an unknown user or collection is ResourceNotFoundException', async () => {
    const face = await faceOf('alice');
    expect(await failure(client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'nobody', FaceIds: [face] })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(
      await failure(client.send(new AssociateFacesCommand({ CollectionId: 'nope', UserId: 'alice', FaceIds: [face] }))),
    ).toBeInstanceOf(ResourceNotFoundException);
    expect(
      await failure(client.send(new DisassociateFacesCommand({ CollectionId: id, UserId: 'nobody', FaceIds: [face] }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('100 faces a user: the 101st fails the whole call with ServiceQuotaExceededException', async () => {
    const crowd = png();
    fake.declareImage(
      crowd,
      Array.from({ length: 100 }, (_, i) => ({
        identity: 'alice',
        box: { left: (i % 10) / 10, top: Math.floor(i / 10) / 10, width: 0.05, height: 0.05 },
      })),
    );
    const indexed = await client.send(new IndexFacesCommand({ CollectionId: id, Image: { Bytes: crowd }, MaxFaces: 100 }));
    const hundred = indexed.FaceRecords?.map((r) => r.Face?.FaceId as string) ?? [];
    expect(hundred).toHaveLength(100);
    const extra = [await faceOf('alice'), await faceOf('alice')];
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: hundred.slice(0, 99) }));
    const over = await failure(
      client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [hundred[99], ...extra] })),
    );
    expect(over).toBeInstanceOf(ServiceQuotaExceededException);
    expect((await client.send(new ListFacesCommand({ CollectionId: id, UserId: 'alice' }))).Faces).toHaveLength(99);
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [hundred[99]] }));
    expect(
      await failure(client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [extra[0]] }))),
    ).toBeInstanceOf(ServiceQuotaExceededException);
  });

  it("DisassociateFaces: own faces go, other users' are reported, unassociated ones ignored, missing ones FACE_NOT_FOUND", async () => {
    const [a1, b1, free] = [await faceOf('alice'), await faceOf('bob'), await faceOf('x')];
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [a1] }));
    await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'bob', FaceIds: [b1] }));
    const missing = randomUUID();
    const out = await client.send(new DisassociateFacesCommand({ CollectionId: id, UserId: 'alice', FaceIds: [a1, b1, free, missing] }));
    expect(out.DisassociatedFaces).toEqual([{ FaceId: a1 }]);
    expect(out.UnsuccessfulFaceDisassociations).toEqual([
      { FaceId: b1, UserId: 'bob', Reasons: ['ASSOCIATED_TO_A_DIFFERENT_USER'] },
      { FaceId: missing, Reasons: ['FACE_NOT_FOUND'] },
    ]);
    expect(out.UserStatus).toBe('CREATED');
  });
});

// ---------------------------------------------------------------------------

describe('SearchUsersByImage', () => {
  let id: string;
  beforeEach(async () => {
    id = await collection();
    for (const [user, identity] of [
      ['alice', 'alice'],
      ['bob', 'bob'],
    ]) {
      await client.send(new CreateUserCommand({ CollectionId: id, UserId: user }));
      const face = await indexOne(id, png([{ identity }]));
      await client.send(new AssociateFacesCommand({ CollectionId: id, UserId: user, FaceIds: [face] }));
    }
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'faceless' }));
  });

  it('finds the user of the largest face at 99.x; others are below the default threshold of 80', async () => {
    const query = png([{ identity: 'alice' }]);
    const out = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: query } }));
    expect(out.UserMatches?.map((m) => m.User)).toEqual([{ UserId: 'alice', UserStatus: 'ACTIVE' }]);
    expect(out.UserMatches?.[0].Similarity).toBeGreaterThanOrEqual(99);
    expect(out.SearchedFace?.FaceDetail?.BoundingBox).toEqual({ Left: 0.25, Top: 0.25, Width: 0.5, Height: 0.5 });
    expect(out.FaceModelVersion).toBe('7.0');
    const everyone = await client.send(
      new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: png([{ identity: 'bob' }]) }, UserMatchThreshold: 0 }),
    );
    expect(everyone.UserMatches?.map((m) => m.User?.UserId)).toEqual(['bob', 'alice']);
    const sims = everyone.UserMatches?.map((m) => m.Similarity as number) ?? [];
    expect(sims[0]).toBeGreaterThan(sims[1]);
    const one = await client.send(
      new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: png([{ identity: 'bob' }]) }, UserMatchThreshold: 0, MaxUsers: 1 }),
    );
    expect(one.UserMatches?.map((m) => m.User?.UserId)).toEqual(['bob']);
    // Deterministic for the same bytes.
    const repeat = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: query } }));
    expect(repeat.UserMatches?.[0].Similarity).toBe(out.UserMatches?.[0].Similarity);
  });

  it('only the largest face is searched; the others are UnsearchedFaces', async () => {
    const out = await client.send(
      new SearchUsersByImageCommand({
        CollectionId: id,
        Image: {
          Bytes: png([
            { identity: 'bob', box: { left: 0, top: 0, width: 0.1, height: 0.1 } },
            { identity: 'alice', box: { left: 0.5, top: 0.5, width: 0.3, height: 0.3 } },
          ]),
        },
      }),
    );
    expect(out.UserMatches?.map((m) => m.User?.UserId)).toEqual(['alice']);
    expect(out.UnsearchedFaces?.map((u) => [u.FaceDetails?.BoundingBox?.Width, u.Reasons])).toEqual([[0.1, ['FACE_NOT_LARGEST']]]);
  });

  it('no face → empty UserMatches and no SearchedFace (not an error); QualityFilter applies when asked', async () => {
    const none = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: png([]) } }));
    expect(none.UserMatches).toEqual([]);
    expect(none.SearchedFace).toBeUndefined();
    const tiny = png([{ identity: 'alice', box: { left: 0, top: 0, width: 0.01, height: 0.01 } }]);
    expect((await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: tiny } }))).UserMatches).toHaveLength(1);
    const filtered = await client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: tiny }, QualityFilter: 'AUTO' }));
    expect(filtered.SearchedFace).toBeUndefined();
    expect(filtered.UnsearchedFaces?.[0].Reasons).toEqual(['SMALL_BOUNDING_BOX']);
  });

  it('image and collection errors', async () => {
    expect(
      await failure(client.send(new SearchUsersByImageCommand({ CollectionId: id, Image: { Bytes: new Uint8Array([1, 2, 3]) } }))),
    ).toBeInstanceOf(InvalidImageFormatException);
    expect(await failure(client.send(new SearchUsersByImageCommand({ CollectionId: 'nope', Image: { Bytes: png() } })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

// ---------------------------------------------------------------------------

describe('ClientRequestToken', () => {
  let id: string;
  beforeEach(async () => {
    id = await collection();
  });

  it('same token + same parameters → the first response replayed, even after the state changed', async () => {
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u', ClientRequestToken: 'create-u' }));
    // A plain duplicate would be ConflictException; the replay succeeds.
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u', ClientRequestToken: 'create-u' }));
    const face = await indexOne(id, png());
    const input = { CollectionId: id, UserId: 'u', FaceIds: [face], ClientRequestToken: 'assoc-1' };
    const first = await client.send(new AssociateFacesCommand(input));
    const replay = await client.send(new AssociateFacesCommand(input));
    // Without the token the face would now be silently ignored (empty lists).
    expect(replay.AssociatedFaces).toEqual(first.AssociatedFaces);
    expect(replay.AssociatedFaces).toEqual([{ FaceId: face }]);
    const fresh = await client.send(new AssociateFacesCommand({ ...input, ClientRequestToken: 'assoc-2' }));
    expect(fresh.AssociatedFaces).toEqual([]);
  });

  it('same token + other parameters → IdempotentParameterMismatchException', async () => {
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u1', ClientRequestToken: 'tok' }));
    const e = await failure(client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u2', ClientRequestToken: 'tok' })));
    expect(e).toBeInstanceOf(IdempotentParameterMismatchException);
    expect(e.message).toBe('The ClientRequestToken: tok you have supplied is already in use.');
    // Tokens are per operation.
    await client.send(new DeleteUserCommand({ CollectionId: id, UserId: 'u1', ClientRequestToken: 'tok' }));
  });

  it('a remembered error is replayed too', async () => {
    const input = { CollectionId: id, UserId: 'late', ClientRequestToken: 'del-late' };
    expect(await failure(client.send(new DeleteUserCommand(input)))).toBeInstanceOf(ResourceNotFoundException);
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'late' }));
    expect(await failure(client.send(new DeleteUserCommand(input)))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('SDK retries (2 throttles, then success) resend the same token and have one effect', async () => {
    const retrying = newClient({ maxAttempts: 3 });
    fake.inject({ op: 'CreateUser', kind: 'throttle', times: 2 });
    const out = await retrying.send(new CreateUserCommand({ CollectionId: id, UserId: 'retry' }));
    expect(out.$metadata.attempts).toBe(3);
    const calls = fake.callsTo('CreateUser');
    expect(calls.map((c) => [c.attempt, c.status, c.fault])).toEqual([
      [1, 400, 'throttle'],
      [2, 400, 'throttle'],
      [3, 200, null],
    ]);
    expect(new Set(calls.map((c) => c.params.ClientRequestToken)).size).toBe(1);
    expect((await client.send(new ListUsersCommand({ CollectionId: id }))).Users).toEqual([{ UserId: 'retry', UserStatus: 'CREATED' }]);
    retrying.destroy();
  });

  it('a lost response (connection dropped after the effect) is retried by the SDK and replayed', async () => {
    const retrying = newClient({ maxAttempts: 3 });
    await client.send(new CreateUserCommand({ CollectionId: id, UserId: 'u' }));
    const face = await indexOne(id, png());
    fake.inject({ op: 'AssociateFaces', kind: 'drop', times: 1, phase: 'after' });
    const out = await retrying.send(new AssociateFacesCommand({ CollectionId: id, UserId: 'u', FaceIds: [face] }));
    expect(out.AssociatedFaces).toEqual([{ FaceId: face }]);
    expect(fake.callsTo('AssociateFaces').map((c) => c.status)).toEqual([null, 200]);
    retrying.destroy();
  });
});

// ---------------------------------------------------------------------------

describe('fault injection', () => {
  it('throttle / provisioned / 500 / error → the matching exception classes and statuses', async () => {
    fake.inject({ kind: 'throttle', times: 1 });
    fake.inject({ kind: 'provisioned', times: 1 });
    fake.inject({ kind: '500', times: 1 });
    fake.inject({ kind: 'error', times: 1, error: { type: 'AccessDeniedException', message: 'User is not authorized' } });
    const throttled = await failure(client.send(new ListCollectionsCommand({})));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled.message).toBe('Slow down; sudden increase in rate of requests.');
    expect(throttled.$metadata?.httpStatusCode).toBe(400);
    expect(await failure(client.send(new ListCollectionsCommand({})))).toBeInstanceOf(ProvisionedThroughputExceededException);
    const internal = await failure(client.send(new ListCollectionsCommand({})));
    expect(internal).toBeInstanceOf(InternalServerError);
    expect(internal.$metadata?.httpStatusCode).toBe(500);
    expect(internal.$fault).toBe('server');
    const denied = await failure(client.send(new ListCollectionsCommand({})));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.message).toBe('User is not authorized');
    // Exhausted: back to normal.
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([]);
    expect(fake.calls.map((c) => c.fault)).toEqual(['throttle', 'provisioned', '500', 'error', null]);
  });

  it('faults filtered by op leave other operations alone; a faulted call has no effect', async () => {
    fake.inject({ op: 'CreateCollection', kind: '500', times: 2 });
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([]);
    expect(await failure(client.send(new CreateCollectionCommand({ CollectionId: 'a' })))).toBeInstanceOf(InternalServerError);
    expect(await failure(client.send(new CreateCollectionCommand({ CollectionId: 'a' })))).toBeInstanceOf(InternalServerError);
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([]);
    await client.send(new CreateCollectionCommand({ CollectionId: 'a' }));
    expect(fake.callsTo('CreateCollection')).toHaveLength(3);
  });

  it('drop destroys the connection without a response; the SDK retries it as a transient error', async () => {
    fake.inject({ kind: 'drop', times: 1 });
    const e = await failure(client.send(new ListCollectionsCommand({})));
    expect(e).not.toBeInstanceOf(RekognitionServiceException);
    expect(e.code ?? e.message).toMatch(/ECONNRESET|socket hang up/);
    const retrying = newClient({ maxAttempts: 2 });
    fake.inject({ kind: 'drop', times: 1 });
    expect((await retrying.send(new ListCollectionsCommand({}))).$metadata.attempts).toBe(2);
    retrying.destroy();
  });

  it('latency delays the answer; past the client timeout it is a TimeoutError', async () => {
    fake.inject({ kind: 'latency', times: 1, latencyMs: 150 });
    const t0 = Date.now();
    await client.send(new ListCollectionsCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const impatient = newClient({ requestTimeout: 50 });
    fake.inject({ kind: 'latency', times: 1, latencyMs: 300 });
    const e = await failure(impatient.send(new ListCollectionsCommand({})));
    expect(e.name).toBe('TimeoutError');
    impatient.destroy();
  });

  it('reset clears state, faults and the call log; inject checks its input', async () => {
    await collection('kept-not');
    fake.inject({ kind: 'throttle', times: 5 });
    fake.reset();
    expect(fake.calls).toEqual([]);
    expect((await client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual([]);
    expect(() => fake.inject({ kind: 'throttle', times: 0 })).toThrow(/times/);
    expect(() => fake.inject({ op: 'DetectLabels', kind: 'throttle', times: 1 })).toThrow(/op/);
  });
});
