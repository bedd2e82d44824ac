/**
 * parseJsonBody (src/http/json-body.ts): a JSON body parsed from its bytes
 * is what JSON.parse makes of its text, but its large plain strings stay
 * bytes until read; Apollo, with the gateway's schema and limit rules, does
 * not read variables of a document it refuses, so a refused alias flood
 * never turns its image into a string.
 */
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { LAZY_STRING_BYTES, parseJsonBody } from '../../dist/src/http/json-body.js';
import { limitRules } from '../../dist/src/security/query-limits.js';

const big = (char = 'A', extra = 5) => char.repeat(LAZY_STRING_BYTES + extra);
const bytesOf = (value: unknown, indent?: number) => Buffer.from(JSON.stringify(value, null, indent));
/** Whether `holder[key]` is still bytes (a getter), not yet a string. */
const unread = (holder: object, key: string) => typeof Object.getOwnPropertyDescriptor(holder, key)?.get === 'function';

describe('parseJsonBody', () => {
  it('gives what JSON.parse gives, large strings included', () => {
    const bodies: unknown[] = [
      { query: '{ a }', variables: { img: { base64: big() } } },
      [big(), { a: big('b'), b: [big('c'), 'x', 1, null, true] }],
      { [big('k')]: 1, v: big() }, // a large member name stays in the text
      { v: `${big()}é漢😀` }, // UTF-8 of several bytes
      { v: `${big()}"\\\n\u0001` }, // escapes: parsed by JSON.parse itself
      big(), // a body that is one string
      { small: 'x'.repeat(100), n: [1, 2, 3] },
    ];
    for (const body of bodies) {
      for (const indent of [undefined, 2]) {
        const bytes = bytesOf(body, indent);
        expect(JSON.stringify(parseJsonBody(bytes))).toBe(JSON.stringify(JSON.parse(bytes.toString('utf8'))));
      }
    }
    // A repeated member: the last one wins, as in JSON.parse.
    const repeated = Buffer.from(`{"v": "${big('a')}", "v": "${big('b')}"}`);
    expect((parseJsonBody(repeated) as { v: string }).v).toBe(big('b'));
  });

  it('leaves a large plain string as bytes until it is read, then holds it as a plain, writable value', () => {
    const body = parseJsonBody(bytesOf({ query: '{ a }', variables: { img: { base64: big() } } })) as {
      query: string;
      variables: { img: { base64: string } };
    };
    const { img } = body.variables;
    expect(unread(img, 'base64')).toBe(true);
    expect(Object.keys(img)).toEqual(['base64']);
    expect(img.base64).toBe(big());
    expect(unread(img, 'base64')).toBe(false);
    expect(Object.getOwnPropertyDescriptor(img, 'base64')).toMatchObject({ value: big(), writable: true, enumerable: true });
    img.base64 = 'replaced';
    expect(img.base64).toBe('replaced');
    // Short strings and strings with escapes are parsed as usual.
    const escaped = parseJsonBody(bytesOf({ v: `${big()}\n`, s: 'x' })) as object;
    expect(unread(escaped, 'v')).toBe(false);
    expect(unread(escaped, 's')).toBe(false);
  });

  it('refuses with a SyntaxError exactly the bodies JSON.parse refuses', () => {
    const bad = [
      `{"v": "${big()}" x}`,
      `{"v": "${big()}\u0001"}`, // a raw control character
      `{"v": "${big()}`, // never closed
      `{"v": "${big()}\\q"}`, // an escape JSON does not have
      `{"v": "${big()}", }`,
      `["${big()}"`,
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(() => parseJsonBody(Buffer.from(text))).toThrow(SyntaxError);
    }
  });

  it('walks a deeply nested body without running out of stack', () => {
    const depth = 20_000;
    const text = `${'['.repeat(depth)}"${big()}"${']'.repeat(depth)}`;
    let value = parseJsonBody(Buffer.from(text));
    for (let i = 0; i < depth; i++) value = (value as unknown[])[0];
    expect(value).toBe(big());
  });
});

describe('Apollo reads variables only after the limit rules passed the document', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
  });

  const searches = (n: number) =>
    `query Flood($img: ImageInput!) { ${Array.from(
      { length: n },
      (_, i) => `a${i}: searchUsersByImage(input: { collection: { provider: "local", collectionId: "c" }, image: $img }) { __typename }`,
    ).join(' ')} }`;

  it('a refused alias flood leaves its image bytes unread; an accepted document reads them', async () => {
    const apollo = new ApolloServer({ schema, validationRules: limitRules(), includeStacktraceInErrorResponses: false });
    await apollo.start();
    try {
      const post = async (query: string) => {
        const body = parseJsonBody(bytesOf({ query, variables: { img: { base64: big() } } })) as {
          variables: { img: Record<string, unknown> };
        };
        const res = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body },
          context: async () => ({}),
        });
        const answer = JSON.parse(res.body.kind === 'complete' ? res.body.string : '{}') as { errors?: { message: string }[] };
        return { image: body.variables.img, answer };
      };
      const flood = await post(searches(300));
      expect(flood.answer.errors?.[0].message).toMatch(/aliases of fields that take images|cost/);
      expect(unread(flood.image, 'base64')).toBe(true);
      // One search passes the rules; coercing its variables reads the image (what the resolver then does with no context is beside the point).
      const one = await post(searches(1));
      expect(one.answer.errors?.[0].message ?? '').not.toMatch(/aliases|cost/);
      expect(unread(one.image, 'base64')).toBe(false);
    } finally {
      await apollo.stop();
    }
  });
});
