/**
 * ImageInput.upload: photos sent as files by the GraphQL multipart request
 * spec (http/multipart.ts), from `curl -F` (spawned) and from fetch with
 * FormData, against the real gateway. A refused request (no preflight
 * header, a file or a body too large, two files for one image, a file map
 * does not name, a file map names that never comes, an Upload sent as
 * JSON or over WebSocket) gets a typed error and leaves the collection as it
 * was.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, gqlData, removeDataDir, startGateway, wsClient, type GatewayProcess, type GraphQLResponse } from '../support/gateway.js';
import { collectionCounts, createCollection, ERROR_FIELDS, ref, uniqueCollectionId } from '../support/fixtures.js';
import { scenePath } from '../support/face-fixtures.js';

const INDEX_FACES = `mutation ($c: CollectionRef!, $img: Upload!) {
  indexFaces(input: { collection: $c, image: { upload: $img } }) {
    __typename ... on IndexFacesSuccess { faces { boundingBox { left top width height } } } ${ERROR_FIELDS}
  }
}`;
const PREFLIGHT = { 'apollo-require-preflight': 'true' };
const MiB = 1024 * 1024;

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

/** One multipart request from fetch: `operations`, `map`, then each file part, in that order unless `parts` says otherwise. */
async function postForm(
  parts: [name: string, value: string | Blob][],
  headers: Record<string, string> = PREFLIGHT,
): Promise<{ status: number; body: GraphQLResponse }> {
  const form = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, `${name}.jpg`);
  }
  const res = await fetch(gateway.url, { method: 'POST', body: form, headers });
  return { status: res.status, body: (await res.json()) as GraphQLResponse };
}

const operations = (collectionId: string, query = INDEX_FACES) => JSON.stringify({ query, variables: { c: ref(collectionId), img: null } });
const photo = (n: number) => new Blob([readFileSync(scenePath(n))], { type: 'image/jpeg' });

describe('ImageInput.upload', () => {
  it('indexes a photo sent by curl -F, finding the faces the same photo finds as base64', async () => {
    const viaCurl = uniqueCollectionId('curl');
    const viaBase64 = uniqueCollectionId('b64');
    await createCollection(gateway.url, viaCurl);
    await createCollection(gateway.url, viaBase64);
    const { stdout } = await promisify(execFile)('curl', [
      '-sS',
      gateway.url,
      '-H',
      'Apollo-Require-Preflight: true',
      '-F',
      `operations=${operations(viaCurl)}`,
      '-F',
      'map={"0":["variables.img"]}',
      '-F',
      `0=@${scenePath(1)};type=image/jpeg`,
    ]);
    const uploaded = JSON.parse(stdout).data.indexFaces;
    expect(uploaded.__typename).toBe('IndexFacesSuccess');
    expect(uploaded.faces.length).toBeGreaterThan(0);
    const base64 = await gqlData(
      gateway.url,
      INDEX_FACES.replace('$img: Upload!', '$img: String!').replace('upload: $img', 'base64: $img'),
      {
        c: ref(viaBase64),
        img: readFileSync(scenePath(1)).toString('base64'),
      },
    );
    expect(uploaded.faces).toEqual(base64.indexFaces.faces);
    expect(await collectionCounts(gateway.url, viaCurl)).toEqual({ userCount: 0, faceCount: uploaded.faces.length });
  });

  it('takes a photo from fetch with FormData, one file for two aliases', async () => {
    const collectionId = uniqueCollectionId('form');
    await createCollection(gateway.url, collectionId);
    const query = `query ($c: CollectionRef!, $img: Upload!, $again: Upload!) {
      a: searchUsersByImage(input: { collection: $c, image: { upload: $img } }) { __typename ${ERROR_FIELDS} }
      b: searchUsersByImage(input: { collection: $c, image: { upload: $again } }) { __typename ${ERROR_FIELDS} }
    }`;
    const { status, body } = await postForm([
      ['operations', JSON.stringify({ query, variables: { c: ref(collectionId), img: null, again: null } })],
      ['map', JSON.stringify({ photo: ['variables.img', 'variables.again'] })],
      ['photo', photo(2)],
    ]);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { a: { __typename: 'SearchUsersByImageSuccess' }, b: { __typename: 'SearchUsersByImageSuccess' } } });
  });

  it('refuses what breaks the spec or the limits with a typed error, and changes nothing', async () => {
    const collectionId = uniqueCollectionId('refused');
    await createCollection(gateway.url, collectionId);
    const ops = operations(collectionId);
    const map = JSON.stringify({ 0: ['variables.img'] });
    const cases: {
      name: string;
      send: () => Promise<{ status: number; body: GraphQLResponse }>;
      status: number;
      code: string;
      says: string;
    }[] = [
      {
        name: 'no preflight header',
        send: () =>
          postForm(
            [
              ['operations', ops],
              ['map', map],
              ['0', photo(1)],
            ],
            {},
          ),
        status: 400,
        code: 'BAD_REQUEST',
        says: 'Apollo-Require-Preflight',
      },
      {
        name: 'a file over 5 MiB',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', map],
            ['0', new Blob([randomBytes(6 * MiB)])],
          ]),
        status: 200,
        code: 'INVALID_IMAGE',
        says: `expected at most ${5 * MiB} bytes of image, got ${6 * MiB}`,
      },
      {
        name: 'a body over maxBodyBytes',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', map],
            ['0', new Blob([randomBytes(9 * MiB)])],
          ]),
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        says: 'expected at most 8388608 bytes',
      },
      {
        name: 'two files for one image',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', JSON.stringify({ 0: ['variables.img'], 1: ['variables.img'] })],
            ['0', photo(1)],
            ['1', photo(2)],
          ]),
        status: 400,
        code: 'BAD_REQUEST',
        says: "expected one file for variables.img, got files '0' and '1'",
      },
      {
        name: 'a file part map does not name',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', map],
            ['1', photo(1)],
          ]),
        status: 400,
        code: 'BAD_REQUEST',
        says: "file part '1': expected a key of map (0)",
      },
      {
        name: 'a map entry whose file never comes',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', map],
          ]),
        status: 400,
        code: 'BAD_REQUEST',
        says: "map: expected a file part '0', got none",
      },
      {
        name: 'a map path that is not in operations',
        send: () =>
          postForm([
            ['operations', ops],
            ['map', JSON.stringify({ 0: ['variables.image'] })],
            ['0', photo(1)],
          ]),
        status: 400,
        code: 'BAD_REQUEST',
        says: 'expected variables.image to be a null under variables in operations, got no such path',
      },
      {
        name: 'map before operations',
        send: () =>
          postForm([
            ['map', map],
            ['operations', ops],
            ['0', photo(1)],
          ]),
        status: 400,
        code: 'BAD_REQUEST',
        says: "multipart field 'map': expected operations, then map, then the files, got it first",
      },
      {
        name: 'an upload and base64 for one image',
        send: () =>
          postForm([
            ['operations', operations(collectionId, INDEX_FACES.replace('upload: $img', 'upload: $img, base64: "AAAA"'))],
            ['map', map],
            ['0', photo(1)],
          ]),
        status: 200,
        code: 'INVALID_INPUT',
        says: 'input.image: expected exactly one of base64, url or upload, got base64 and upload',
      },
      {
        name: 'a multipart content-type over a body without its boundary',
        send: async () => {
          const res = await fetch(gateway.url, {
            method: 'POST',
            headers: { ...PREFLIGHT, 'content-type': 'multipart/form-data; boundary=x' },
            body: JSON.stringify({ query: '{ providers { name } }' }),
            signal: AbortSignal.timeout(10_000),
          });
          return { status: res.status, body: (await res.json()) as GraphQLResponse };
        },
        status: 400,
        code: 'BAD_REQUEST',
        says: 'expected multipart/form-data parts, got a body that does not parse',
      },
      {
        name: 'an Upload sent as JSON',
        send: async () => {
          const res = await fetch(gateway.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: INDEX_FACES, variables: { c: ref(collectionId), img: { name: 'photo.jpg' } } }),
          });
          return { status: res.status, body: (await res.json()) as GraphQLResponse };
        },
        status: 400,
        code: 'BAD_USER_INPUT',
        says: 'Upload: expected a file part of a multipart/form-data POST',
      },
    ];
    const seen: Record<string, unknown> = {};
    for (const c of cases) {
      const { status, body } = await c.send();
      const error = body.errors?.[0] ?? (body.data?.indexFaces as { code: string; message: string } | undefined);
      const code = body.errors ? body.errors[0].extensions?.code : error && 'code' in error ? error.code : undefined;
      seen[c.name] = { status, code, says: error?.message.includes(c.says) || error?.message };
    }
    const expected = Object.fromEntries(cases.map((c) => [c.name, { status: c.status, code: c.code, says: true }]));
    expect(seen).toEqual(expected);
    expect(await collectionCounts(gateway.url, collectionId)).toEqual({ userCount: 0, faceCount: 0 });
  });

  it('counts an upload as an image input: more than maxImageInputs is TOO_MANY_IMAGES before anything runs', async () => {
    const collectionId = uniqueCollectionId('many');
    await createCollection(gateway.url, collectionId);
    const fields = [0, 1, 2, 3, 4].map((i) => `i${i}: indexFaces(input: { collection: $c, image: { upload: $img } }) { __typename }`);
    const { status, body } = await postForm([
      [
        'operations',
        JSON.stringify({
          query: `mutation ($c: CollectionRef!, $img: Upload!) { ${fields.join(' ')} }`,
          variables: { c: ref(collectionId), img: null },
        }),
      ],
      ['map', JSON.stringify({ 0: ['variables.img'] })],
      ['0', photo(1)],
    ]);
    expect({ status, code: body.errors?.[0].extensions?.code, data: body.data }).toEqual({
      status: 400,
      code: 'TOO_MANY_IMAGES',
      data: undefined,
    });
    expect(await collectionCounts(gateway.url, collectionId)).toEqual({ userCount: 0, faceCount: 0 });
  });

  it('refuses an Upload over WebSocket with a clear error, before anything runs', async () => {
    const collectionId = uniqueCollectionId('ws');
    await createCollection(gateway.url, collectionId);
    const client = wsClient(gateway.wsUrl);
    try {
      const errors = await new Promise<unknown>((resolve, reject) =>
        client.subscribe(
          { query: INDEX_FACES, variables: { c: ref(collectionId), img: readFileSync(scenePath(1)).toString('base64') } },
          { next: (r) => resolve(r.errors), error: resolve, complete: () => reject(new Error('completed without an error')) },
        ),
      );
      expect(errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining(
            'Upload: expected a file part of a multipart/form-data POST (GraphQL multipart request spec: operations, map, then the file; over HTTP only, never over WebSocket), got a JSON string',
          ),
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
    } finally {
      await client.dispose();
    }
    expect(await collectionCounts(gateway.url, collectionId)).toEqual({ userCount: 0, faceCount: 0 });
    // The JSON path answers the same refusal.
    const json = await gql(gateway.url, INDEX_FACES, { c: ref(collectionId), img: 'AAAA' });
    expect(json.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
