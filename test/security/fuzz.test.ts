/**
 * Seeded fuzzing of the HTTP endpoint of the shared gateway: thousands of
 * random and mutated GraphQL documents, variables, bodies, content types and
 * methods. Whatever comes in, the gateway answers below 500 with a JSON body
 * holding `data` or `errors`, shows no stack trace or file path, never masks
 * a crash as INTERNAL_SERVER_ERROR (every input has a defined answer), and
 * still works afterwards.
 *
 * The seed is fixed, so a failure replays: the report names the case index
 * and kind; `FUZZ_SEED` / `FUZZ_CASES` pick others.
 *
 * Writes stay bounded: documents are mostly queries; mutations target
 * collections that do not exist or providers that are not configured, except
 * for at most MAX_CREATED createCollection calls on `local`, whose
 * collections are deleted at the end.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { gqlData, REPO_ROOT } from '../support/gateway.js';

const url = inject('gatewayUrl');
const SEED = Number(process.env.FUZZ_SEED ?? 0xfacade);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
const CONCURRENCY = 8;
const MAX_CREATED = 20;

// ---------------------------------------------------------------------------
// Randomness

/** mulberry32: small, fast, good enough, and the same on every machine. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** One of `choices` by weight. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T {
    let x = this.next() * choices.reduce((s, [w]) => s + w, 0);
    for (const [w, v] of choices) if ((x -= w) < 0) return v;
    return choices[choices.length - 1][1];
  }
}

const CODE_POINT_RANGES: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // ASCII
  [0x20, 0x7e],
  [0x00, 0x1f], // control characters, NUL included
  [0xa0, 0x24f], // Latin
  [0x400, 0x4ff], // Cyrillic
  [0x4e00, 0x9fff], // CJK
  [0x1f300, 0x1faff], // emoji
  [0x200b, 0x202e], // zero-width and bidi overrides
  [0xfff0, 0xffff], // specials, BOM-likes
];
/** Lone surrogates: JSON carries them, GraphQL string literals refuse them. */
const SURROGATES = [0xd800, 0xdfff] as const;

const STRINGS = [
  '',
  ' ',
  'a',
  'local',
  'aws',
  'nope',
  '\u0000',
  'a\u0000b',
  '\ufeff',
  '💥🙂',
  'é',
  'ß',
  '\u202eevil',
  '\ud800',
  '\udfff',
  '%00',
  '%s%s%s%n',
  '../../../../etc/passwd',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '${jndi:ldap://x/a}',
  '<script>alert(1)</script>',
  '{"$gt": ""}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e400',
  'true',
  '*',
  '?',
  '\\',
  '\n\r\t',
  'Z2lk',
  'Q29sbGVjdGlvbjpsb2NhbDpj',
  'eyJzIjo1MDB9',
  'eyJzIjotMX0',
  'eyJzIjoxLCJ0Ijp7fX0',
  'x'.repeat(300),
  'y'.repeat(70_000),
];

function randomString(r: Rng): string {
  if (r.chance(0.4)) return r.pick(STRINGS);
  const length = r.weighted([
    [6, r.int(1, 12)],
    [2, r.int(13, 200)],
    [1, r.int(201, 3000)],
  ] as const);
  let s = '';
  const [lo, hi] = r.pick(CODE_POINT_RANGES);
  for (let i = 0; i < length; i++) {
    const [a, b] = r.chance(0.8) ? [lo, hi] : r.chance(0.05) ? SURROGATES : r.pick(CODE_POINT_RANGES);
    s += String.fromCodePoint(r.int(a, b));
  }
  return s;
}

const HUGE_NUMBERS = [
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '99999999999999999999999999',
  '1e400',
  '-1e400',
  '1e-400',
  '0.1',
  '-0',
  '1.7976931348623157e308',
];

/** A value written as-is in a GraphQL document and in JSON (numbers JSON.stringify would lose). */
class Raw {
  constructor(readonly text: string) {}
}
/** An enum value: bare in a document, a string in JSON. */
class EnumValue {
  constructor(readonly name: string) {}
}
type Value = null | boolean | number | string | Raw | EnumValue | Value[] | { [key: string]: Value };

function toLiteral(v: Value): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof EnumValue) return v.name;
  if (Array.isArray(v)) return `[${v.map(toLiteral).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${toLiteral(x)}`)
      .join(', ')} }`;
  return JSON.stringify(v) ?? 'null';
}

function toJson(v: Value): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof EnumValue) return JSON.stringify(v.name);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function wrongValue(r: Rng): Value {
  return r.pick<() => Value>([
    () => randomString(r),
    () => r.int(-1000, 1000),
    () => new Raw(r.pick(HUGE_NUMBERS)),
    () => r.chance(0.5),
    () => null,
    () => [randomString(r), r.int(0, 9)],
    () => ({ provider: randomString(r), collectionId: r.int(0, 5) }),
    () => new EnumValue(r.pick(['LOCAL', 'ACTIVE', 'NOPE', 'true', 'null'])),
    () => ({}),
    () => [],
  ])();
}

/** Collection ids that exist nowhere (or, rarely, random junk), so mutations on `local` find nothing. */
function absentCollectionId(r: Rng): string {
  return r.chance(0.8) ? `fuzz-absent-${r.int(0, 1e9)}` : randomString(r);
}

const FIRSTS = [0, 1, 2, 3, -1, 501, 100_000];

/** A value for `type`, of the right shape but for `wrong` of the time (at each level). */
function valueFor(r: Rng, type: GraphQLInputType, name: string, wrong = 0.03, depth = 0): Value {
  if (r.chance(wrong)) return wrongValue(r);
  if (isNonNullType(type)) return valueFor(r, type.ofType, name, wrong, depth);
  if (r.chance(wrong)) return null;
  if (isListType(type)) {
    if (r.chance(0.15)) return valueFor(r, type.ofType, name, wrong, depth + 1); // a single item: coerced to a list
    return Array.from(
      {
        length: r.weighted([
          [8, r.int(0, 3)],
          [1, r.int(4, 200)],
        ] as const),
      },
      () => valueFor(r, type.ofType, name, wrong, depth + 1),
    );
  }
  if (isInputObjectType(type)) {
    const out: Record<string, Value> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || r.chance(0.5) || depth > 4) {
        if (depth > 4 && !isNonNullType(field.type)) continue;
        out[field.name] = valueFor(r, field.type, field.name, wrong, depth + 1);
      }
    }
    if (r.chance(wrong)) out[r.pick(['extra', '__proto__', 'constructor'])] = wrongValue(r);
    return out;
  }
  if (isEnumType(type)) return new EnumValue(r.pick(type.getValues()).name);
  switch (name) {
    case 'first':
      return r.chance(wrong * 5) ? new Raw(r.pick(HUGE_NUMBERS)) : r.pick(FIRSTS);
    case 'provider':
    case 'name':
      return r.pick(['local', 'aws', 'nope', 'LOCAL', randomString(r)]);
    case 'collectionId':
      return absentCollectionId(r);
    case 'base64':
      return r.pick([
        '',
        'AAAA',
        '////',
        'iVBORw0KGgo=',
        '/9j/4AAQSkZJRgABAQ==',
        Buffer.from(randomString(r)).toString('base64'),
        randomString(r),
      ]);
    case 'url':
      return r.pick(['http://127.0.0.1:1/x.jpg', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', randomString(r)]);
    default:
      break;
  }
  const scalar = type.name;
  if (scalar === 'Int') return r.chance(wrong * 5) ? new Raw(r.pick(HUGE_NUMBERS)) : r.pick([r.int(-5, 200), 2147483647, -2147483648]);
  if (scalar === 'Float') return r.chance(wrong * 5) ? new Raw(r.pick(HUGE_NUMBERS)) : r.pick([r.next() * 200 - 50, 1e308, -0, 5e-324]);
  if (scalar === 'Boolean') return r.chance(0.5);
  if (scalar === 'DateTime') return r.pick(['2024-01-01T00:00:00Z', '0000-00-00', '9999-12-31T23:59:59Z', randomString(r)]);
  return randomString(r); // String, ID
}

// ---------------------------------------------------------------------------
// Documents

const sdl = readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8');
const schema: GraphQLSchema = buildSchema(sdl);
const FIELD_NAMES = [...new Set(Object.values(schema.getTypeMap()).flatMap((t) => ('getFields' in t ? Object.keys(t.getFields()) : [])))];
const TYPE_NAMES = Object.keys(schema.getTypeMap());

interface Case {
  kind: string;
  method?: string;
  headers?: Record<string, string>;
  /** A JSON body built from query/variables unless `body` is given. */
  query?: string;
  variables?: string;
  operationName?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  search?: string;
}

class Walk {
  private vars: string[] = [];
  private values: string[] = [];
  /** A quarter of the documents carry wrong values, unknown fields and arguments; the rest should validate. */
  private readonly wrong: number;
  constructor(private readonly r: Rng) {
    this.wrong = r.chance(0.25) ? 0.04 : 0;
  }

  /** Arguments of `field`: required ones always, optional ones often, some through variables. */
  private args(field: GraphQLField<unknown, unknown>): string {
    const parts: string[] = [];
    for (const arg of field.args) {
      if (!isNonNullType(arg.type) && this.r.chance(arg.name === 'first' ? 0.1 : 0.5)) continue; // a missing first means 50 or 100
      const value = valueFor(this.r, arg.type, arg.name, this.wrong);
      if (this.r.chance(0.3)) {
        const name = `v${this.vars.length}`;
        const declared = this.r.chance(this.wrong)
          ? this.r.pick(['Int', 'String!', '[ID]', 'Boolean', 'Nope', 'CollectionRef'])
          : String(arg.type);
        this.vars.push(`$${name}: ${declared}`);
        this.values.push(`${JSON.stringify(name)}:${toJson(value)}`);
        parts.push(`${arg.name}: $${name}`);
      } else {
        parts.push(`${arg.name}: ${toLiteral(value)}`);
      }
    }
    if (this.r.chance(this.wrong / 2)) parts.push(`${this.r.pick(['nope', 'first', 'id'])}: ${toLiteral(wrongValue(this.r))}`);
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  private selection(type: GraphQLNamedType, depth: number): string {
    if (isLeafType(type)) return '';
    if (isAbstractType(type)) {
      const members = schema.getPossibleTypes(type);
      const picks = Array.from({ length: this.r.int(1, 2) }, () => this.r.pick(members));
      return `{ __typename ${picks.map((m) => `... on ${m.name} ${this.selection(m, depth)}`).join(' ')} }`;
    }
    const object = type as GraphQLObjectType;
    const fields = Object.values(object.getFields());
    const count = this.r.int(1, 4);
    const chosen: string[] = [];
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      let field = this.r.pick(fields);
      // Deep enough: prefer leaves.
      if (depth > 5) field = fields.find((f) => isLeafType(getNamedType(f.type))) ?? field;
      const named = getNamedType(field.type);
      // A field twice with other arguments does not merge: alias it (and sometimes anyway).
      const alias = used.has(field.name) || this.r.chance(0.1) ? `a${i}: ` : '';
      used.add(field.name);
      const sub = isLeafType(named) ? '' : depth > 8 ? '{ __typename }' : this.selection(named, depth + 1);
      chosen.push(`${alias}${field.name}${this.args(field)} ${sub}`);
    }
    if (this.r.chance(0.1)) chosen.push('__typename');
    if (this.r.chance(this.wrong / 2)) chosen.push(this.r.pick(FIELD_NAMES)); // probably not on this type
    return `{ ${chosen.join(' ')} }`;
  }

  query(): { query: string; variables?: string } {
    const body = this.selection(schema.getQueryType()!, 1);
    const header = this.vars.length ? `query Fuzz(${this.vars.join(', ')}) ` : this.r.chance(0.5) ? 'query ' : '';
    return { query: header + body, variables: this.values.length ? `{${this.values.join(',')}}` : undefined };
  }
}

const ERROR_FIELDS = '__typename ... on Error { code message } ... on InvalidInput { field }';

/** Operations from schema.graphql's Query and Mutation, written as a client would. */
const QUERIES = [
  '{ providers { id name kind capabilities collections(first: 2) { edges { cursor node { id collectionId faceCount userCount createdAt faceModelVersion } } pageInfo { hasNextPage endCursor } } } }',
  'query($name: String!) { provider(name: $name) { id name kind } }',
  `query($c: CollectionRef!) { collection(ref: $c) { id collectionId userCount faceCount users(first: 3) { edges { node { userId status faceCount
    faces(first: 2) { edges { node { faceId confidence externalImageId indexedAt boundingBox { top left width height } user { userId } } } } } } }
    face(faceId: "f") { faceId } user(userId: "u") { userId } } }`,
  'query($id: ID!) { node(id: $id) { __typename id ... on Collection { collectionId } ... on User { userId } ... on Face { faceId } ... on Operation { status percent } ... on Snapshot { userCount } } }',
  'query($id: ID!) { operation(id: $id) { id kind status percent message createdAt lastActionAt snapshot { id } targetCollection { collectionId } } }',
  'query($id: ID!) { snapshot(id: $id) { id applyScope createdAt expiresAt faceCount userCount userData source { provider collectionId } } }',
  'query($first: Int, $after: String) { snapshots(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
  `query($i: SearchUsersByImageInput!) { searchUsersByImage(input: $i) { ${ERROR_FIELDS} ... on SearchUsersByImageSuccess { searchedFace { confidence } userMatches { similarity user { userId } } } } }`,
  'query { __typename }',
  'query Named { providers { name } } query Other { __typename }',
];

/** Mutations that cannot create anything: collections that do not exist, providers that are not configured, snapshots that do not exist. */
const MUTATIONS = [
  `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $u: String!, $t: String) { createUser(input: { collection: $c, userId: $u, clientRequestToken: $t }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $u: String!) { deleteUser(input: { collection: $c, userId: $u }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $f: [String!]!) { deleteFaces(input: { collection: $c, faceIds: $f }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $u: String!, $f: [String!]!, $th: Float) { associateFaces(input: { collection: $c, userId: $u, faceIds: $f, userMatchThreshold: $th }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $u: String!, $f: [String!]!) { disassociateFaces(input: { collection: $c, userId: $u, faceIds: $f }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $img: ImageInput!, $max: Int) { indexFaces(input: { collection: $c, image: $img, maxFaces: $max }) { ${ERROR_FIELDS} } }`,
  `mutation($c: CollectionRef!, $d: String, $s: [String!]) { takeSnapshot(input: { collection: $c, userData: $d, applyScope: $s }) { ${ERROR_FIELDS} } }`,
  `mutation($s: ID!, $c: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $c }) { ${ERROR_FIELDS} } }`,
  `mutation($s: ID!) { deleteSnapshot(input: { snapshotId: $s }) { ${ERROR_FIELDS} } }`,
];
const TEMPLATES = [...QUERIES, ...MUTATIONS];

/** Variables for a template, from its declarations; refs never name an existing collection on a configured provider for a write. */
function variablesFor(r: Rng, document: string): string | undefined {
  let op;
  try {
    op = parse(document).definitions[0];
  } catch {
    return undefined;
  }
  if (op.kind !== 'OperationDefinition' || !op.variableDefinitions?.length) return undefined;
  const isMutation = op.operation === 'mutation';
  const entries: string[] = [];
  for (const def of op.variableDefinitions) {
    const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
    if (!type) continue;
    if (r.chance(0.05)) continue; // a missing variable
    let value = valueFor(r, type, def.variable.name.value);
    if (
      getNamedType(type).name === 'CollectionRef' &&
      isMutation &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !(value instanceof Raw) &&
      !(value instanceof EnumValue)
    ) {
      value = { ...value, collectionId: absentCollectionId(r) };
      // createCollection and applySnapshot would create: never on a configured provider.
      if (/createCollection|applySnapshot/.test(document)) value = { ...value, provider: `nope-${r.int(0, 99)}` };
    }
    entries.push(`${JSON.stringify(def.variable.name.value)}:${toJson(value)}`);
  }
  if (r.chance(0.05)) entries.push(`"extra":${toJson(wrongValue(r))}`);
  return `{${entries.join(',')}}`;
}

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '$x',
  '...',
  '!',
  '=',
  '|',
  '&',
  '@',
  '@include(if: true)',
  '@skip(if: $x)',
  '@deprecated',
  '@nope',
  '#comment\n',
  '"',
  '"""',
  '"\\u0000"',
  '"\\uD800"',
  '\\',
  '\u0000',
  '\ufeff',
  '💥',
  ',',
  '\n',
  '\t',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'null',
  'true',
  'false',
  '__typename',
  '__schema { types { name } }',
  '__type(name: "User") { name }',
  '1e400',
  '99999999999999999999',
  '-',
  '0x10',
  '.5',
  'first: 500',
  'first: -1',
  'input:',
  'ref:',
  'id:',
  '"x"',
  'extend type Query { x: Int }',
  'directive @d on FIELD',
  'schema { query: Query }',
  'snapshotProgress(operationId: "x") { percent }',
];

function mutate(r: Rng, source: string): string {
  let s = source;
  const steps = r.int(1, 5);
  for (let i = 0; i < steps; i++) {
    const at = r.int(0, s.length);
    switch (r.int(0, 6)) {
      case 0: // delete a range
        s = s.slice(0, at) + s.slice(at + r.int(1, 12));
        break;
      case 1: // insert a token
        s = s.slice(0, at) + r.pick(TOKENS) + s.slice(at);
        break;
      case 2: // duplicate a range
        s = s.slice(0, at) + s.slice(at, at + r.int(1, 40)).repeat(r.int(2, 5)) + s.slice(at);
        break;
      case 3: // swap two characters
        if (s.length > 1) {
          const b = r.int(0, s.length - 1);
          const chars = [...s];
          const a = Math.min(at, chars.length - 1);
          [chars[a], chars[b]] = [chars[b], chars[a]];
          s = chars.join('');
        }
        break;
      case 4: // a name for another name
        s = s.replace(/[A-Za-z_]\w*/g, (m) => (r.chance(0.08) ? r.pick(r.chance(0.5) ? FIELD_NAMES : TYPE_NAMES) : m));
        break;
      case 5: // a random string
        s = s.slice(0, at) + randomString(r) + s.slice(at);
        break;
      default: // truncate
        s = s.slice(0, at);
    }
  }
  return s;
}

/** Mutated documents: writes only when they still target nothing that exists (their variables come from variablesFor). */
function mutatedCase(r: Rng, kind: string): Case {
  const base = r.chance(0.5) ? new Walk(r).query().query : r.pick(TEMPLATES);
  const query = kind === 'truncated' ? base.slice(0, r.int(0, base.length - 1)) : mutate(r, base);
  return { kind, query, variables: r.chance(0.7) ? variablesFor(r, base) : undefined };
}

function deepCase(r: Rng): Case {
  const n = r.pick([10, 100, 1000, 10_000, 60_000]);
  const small = Math.min(n, r.pick([5, 13, 40, 200]));
  const shape = r.int(0, 6);
  switch (shape) {
    case 0:
      return { kind: 'deep-braces', query: '{'.repeat(n) + '}'.repeat(n) };
    case 1:
      return { kind: 'deep-fields', query: `{ ${'providers { '.repeat(n)}name${' }'.repeat(n)} }` };
    case 2: // valid and executable, one item per page
      return {
        kind: 'deep-valid',
        query: `{ provider(name: "local") { ${'collections(first: 1) { edges { node { provider { '.repeat(small)}name${' } } } }'.repeat(small)} } }`,
      };
    case 3:
      return { kind: 'deep-list-literal', query: `{ provider(name: ${'['.repeat(n)}"local"${']'.repeat(n)}) { name } }` };
    case 4:
      return { kind: 'deep-object-literal', query: `{ collection(ref: ${'{ a: '.repeat(n)}1${' }'.repeat(n)}) { id } }` };
    case 5: {
      const nestedJson = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
      return {
        kind: 'deep-variables',
        query: 'query($c: CollectionRef!) { collection(ref: $c) { id } }',
        variables: `{"c":${nestedJson}}`,
      };
    }
    default: {
      // Many aliases, fragments spreading fragments.
      let doc = `{ ${Array.from({ length: r.pick([10, 500, 3000]) }, (_, i) => `a${i}: __typename`).join(' ')} ...F0 }\n`;
      for (let i = 0; i < 25; i++) doc += `fragment F${i} on Query { ${i < 24 ? `...F${i + 1} ...F${i + 1}` : 'providers { name }'} }\n`;
      return { kind: 'many-aliases-fragments', query: doc };
    }
  }
}

const VALID_BODY = '{"query":"{ providers { name } }"}';
const RAW_BODIES = [
  '',
  ' ',
  '{',
  '{"query": ',
  '}',
  'null',
  '[]',
  '[{"query":"{ __typename }"}]',
  '"{ __typename }"',
  '123',
  'true',
  'NaN',
  '{"query": NaN}',
  '{"query": null}',
  '{"query": 123}',
  '{"query": ["{ __typename }"]}',
  '{"query": {"a": 1}}',
  '{"query": true}',
  '{"query":"{ __typename }","variables":"x"}',
  '{"query":"{ __typename }","variables":[1]}',
  '{"query":"{ __typename }","variables":"{\\"a\\":1}"}',
  '{"query":"{ __typename }","operationName":5}',
  '{"query":"{ __typename }","operationName":"Nope"}',
  '{"query":"{ __typename }","extensions":"x"}',
  '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
  `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'a'.repeat(64)}"}}}`,
  '{"extensions":{"persistedQuery":{"version":2}}}',
  '{"query":"{ __typename }","__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
  '{"query":"{ __typename }","query":"{ providers { name } }"}',
  '\ufeff{"query":"{ __typename }"}',
  '\u0000',
  '{"query":"\\u0000"}',
  '{"query":"{ __typename }"}garbage',
  '{"query":"{ __typename }"',
  `{"query":"${'a'.repeat(200_000)}"}`,
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  '{"query":"subscription { snapshotProgress(operationId: \\"x\\") { percent } }"}',
  '{"query":"mutation { __typename }"}',
  '{"query":"query A { __typename } query A { __typename }"}',
  '{"query":"{ __typename }","variables":{"a":{"b":{"c":[1,2,{"d":null}]}}}}',
];

function bodyCase(r: Rng): Case {
  if (r.chance(0.15)) {
    const bytes = new Uint8Array(r.int(1, 300));
    for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(0, 255);
    return { kind: 'bytes', body: bytes, headers: { 'content-type': 'application/json' } };
  }
  if (r.chance(0.25)) return { kind: 'json-mutated', body: mutate(r, r.pick([VALID_BODY, ...RAW_BODIES.filter((b) => b.length < 500)])) };
  return { kind: 'json-raw', body: r.pick(RAW_BODIES) };
}

const CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/graphql',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/jsonp',
  'application/vnd.api+json',
  'application/graphql-response+json',
  'text/json',
  '*/*',
  'application/xml',
  'application/json, text/plain',
  'application/json;;;',
  '\u00e9',
];
const ACCEPTS = [
  undefined,
  '*/*',
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json;q=0.9',
  'text/html',
  'application/xml',
  'text/event-stream',
  'multipart/mixed',
  'multipart/mixed; deferSpec=20220824',
  'application/json;q=0',
  'nonsense',
];

function headerCase(r: Rng): Case {
  const headers: Record<string, string> = {};
  const contentType = r.pick(CONTENT_TYPES);
  if (contentType !== undefined) headers['content-type'] = contentType;
  const accept = r.pick(ACCEPTS);
  if (accept !== undefined) headers.accept = accept;
  if (r.chance(0.4)) headers['apollo-require-preflight'] = 'true';
  if (r.chance(0.1)) headers['x-request-id'] = randomString(r).replace(/[^\x20-\x7e]/g, '?');
  if (r.chance(0.1)) headers['x-apollo-operation-name'] = 'Fuzz';
  const method = r.weighted([
    [8, 'POST'],
    [1, 'PUT'],
    [1, 'PATCH'],
    [1, 'DELETE'],
  ] as const);
  const body = r.chance(0.7) ? VALID_BODY : r.chance(0.5) ? 'query=%7B__typename%7D' : `{"query":${JSON.stringify(r.pick(TEMPLATES))}}`;
  return { kind: `content-type`, method, headers, body };
}

function getCase(r: Rng): Case {
  const params = new URLSearchParams();
  const source = r.chance(0.5) ? r.pick(QUERIES) : r.pick(TEMPLATES);
  params.set('query', r.chance(0.3) ? mutate(r, source) : source);
  if (r.chance(0.5)) params.set('variables', variablesFor(r, source) ?? randomString(r));
  if (r.chance(0.2)) params.set('operationName', randomString(r));
  if (r.chance(0.1)) params.set('extensions', r.pick(['{}', 'x', '{"persistedQuery":{"version":1,"sha256Hash":"x"}}']));
  const headers: Record<string, string> = {};
  if (r.chance(0.7)) headers['apollo-require-preflight'] = '1';
  if (r.chance(0.3)) headers.accept = r.pick(ACCEPTS.filter((a): a is string => a !== undefined && a !== 'text/html'));
  // Node refuses request heads over 16 KiB (431, no body) before the gateway sees them.
  for (const name of ['variables', 'operationName', 'extensions']) if (params.toString().length > 8000) params.delete(name);
  if (params.toString().length > 8000) params.set('query', source);
  return { kind: 'get', method: 'GET', headers, search: `?${params}` };
}

function tokenSoup(r: Rng): Case {
  const n = r.int(1, 60);
  let query = '';
  for (let i = 0; i < n; i++)
    query += (r.chance(0.3) ? r.pick(FIELD_NAMES) : r.chance(0.1) ? randomString(r) : r.pick(TOKENS)) + r.pick([' ', '', '\n', ',']);
  return { kind: 'tokens', query };
}

function walkCase(r: Rng): Case {
  return { kind: 'walk', ...new Walk(r).query() };
}

function templateCase(r: Rng): Case {
  const query = r.pick(TEMPLATES);
  return { kind: 'template-variables', query, variables: variablesFor(r, query) };
}

function makeCase(r: Rng): Case {
  return r.weighted<(r: Rng) => Case>([
    [30, walkCase],
    [20, (x) => mutatedCase(x, 'mutated')],
    [8, (x) => mutatedCase(x, 'truncated')],
    [7, tokenSoup],
    [12, templateCase],
    [5, deepCase],
    [7, bodyCase],
    [6, headerCase],
    [5, getCase],
  ])(r);
}

// ---------------------------------------------------------------------------
// Sending and checking

interface Outcome {
  index: number;
  kind: string;
  status: number;
  text: string;
}

async function send(index: number, c: Case): Promise<Outcome> {
  const method = c.method ?? 'POST';
  const headers = c.headers ?? { 'content-type': 'application/json' };
  let body: string | Uint8Array<ArrayBuffer> | undefined = c.body;
  if (body === undefined && c.query !== undefined) {
    body = `{"query":${JSON.stringify(c.query)}${c.variables !== undefined ? `,"variables":${c.variables}` : ''}${c.operationName ? `,"operationName":${JSON.stringify(c.operationName)}` : ''}}`;
  }
  const res = await fetch(url + (c.search ?? ''), {
    method,
    headers,
    body: method === 'GET' ? undefined : body,
    signal: AbortSignal.timeout(20_000),
  });
  return { index, kind: c.kind, status: res.status, text: await res.text() };
}

/**
 * What a client must never see: stack frames, source locations, paths on
 * this machine. Not a bare " at ": the gateway's own messages say "expected
 * at most …" (body and query limits), so a stack frame is matched by its
 * shape instead: "\n    at " in the JSON text, or a path with :line:column.
 */
const LEAKS: readonly [string, RegExp][] = [
  ['a path under /work/', /\/work\//],
  ['node_modules', /node_modules/],
  ['a stack frame line', /(?:\\n|\n)\s+at\s/],
  ['a source position', /(?:\/|file:\/\/|node:)[^\s"()]*:\d+:\d+/],
  ['a Node internal', /node:internal/],
  ['a stacktrace extension', /"stacktrace"/],
  ['an exception class', /\b(?:TypeError|ReferenceError|SqliteError|SQLITE_[A-Z_]+)\b/],
];

function problems(o: Outcome): string[] {
  const found: string[] = [];
  if (o.status >= 500) found.push(`status ${o.status}`);
  let json: unknown;
  try {
    json = JSON.parse(o.text);
  } catch {
    found.push('a body that is not JSON');
  }
  if (json !== undefined) {
    const object = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    const hasData = object !== undefined && 'data' in object;
    const errors = object?.errors;
    const hasErrors =
      Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof (e as { message?: unknown })?.message === 'string');
    if (!hasData && !hasErrors) found.push('neither data nor errors');
  }
  for (const [what, pattern] of LEAKS) if (pattern.test(o.text)) found.push(`leaks ${what}`);
  return found;
}

/** Runs `count` cases from `rng` on `concurrency` connections; resolves with every outcome. */
async function runAll(rng: Rng, count: number, onOutcome: (o: Outcome, c: Case) => void): Promise<void> {
  const cases = Array.from({ length: count }, () => makeCase(rng));
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const c = cases[index];
      try {
        onOutcome(await send(index, c), c);
      } catch (e) {
        onOutcome({ index, kind: c.kind, status: 0, text: `request failed: ${(e as Error).message}` }, c);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function describeCase(c: Case): string {
  const text =
    c.body !== undefined
      ? typeof c.body === 'string'
        ? c.body
        : `<${c.body.length} random bytes>`
      : `${c.query ?? ''} ${c.variables ?? ''} ${c.search ?? ''}`;
  return `${c.method ?? 'POST'} ${JSON.stringify(c.headers ?? {})} ${text.slice(0, 300)}${text.length > 300 ? '…' : ''}`;
}

// ---------------------------------------------------------------------------

describe('fuzzing the HTTP endpoint', () => {
  const created: string[] = [];

  afterAll(async () => {
    for (const collectionId of created) {
      await gqlData(url, 'mutation($c: CollectionRef!) { deleteCollection(input: { collection: $c }) { __typename } }', {
        c: { provider: 'local', collectionId },
      });
    }
  });

  it('walks the schema into documents that mostly validate, so the fuzzer reaches resolvers', () => {
    const r = new Rng(SEED);
    let valid = 0;
    for (let i = 0; i < 400; i++) {
      try {
        if (validate(schema, parse(new Walk(r).query().query)).length === 0) valid++;
      } catch {
        // a literal the grammar refuses (e.g. an unpaired surrogate escape): fuzz too
      }
    }
    expect(valid / 400).toBeGreaterThan(0.5);
  });

  it(
    `answers ${CASES} random requests (seed ${SEED}) below 500, in JSON with data or errors, leaking nothing`,
    { timeout: 120_000 },
    async () => {
      const started = performance.now();
      const failures: string[] = [];
      const byKind = new Map<string, { n: number; statuses: Map<number, number> }>();
      const internal: string[] = [];
      await runAll(new Rng(SEED), CASES, (o, c) => {
        const stats = byKind.get(o.kind) ?? { n: 0, statuses: new Map() };
        stats.n++;
        stats.statuses.set(o.status, (stats.statuses.get(o.status) ?? 0) + 1);
        byKind.set(o.kind, stats);
        const found = problems(o);
        if (found.length)
          failures.push(`#${o.index} ${o.kind}: ${found.join(', ')}\n  request: ${describeCase(c)}\n  response: ${o.text.slice(0, 400)}`);
        // A masked internal error leaks nothing, but it is a crash the gateway did not expect: every input
        // the fuzzer sends has a defined answer (a validation error, a union member, a 4xx), so any
        // INTERNAL_SERVER_ERROR fails the test; its cause is in the gateway log.
        if (o.text.includes('INTERNAL_SERVER_ERROR')) internal.push(`#${o.index} ${o.kind}: ${describeCase(c)}`);
      });

      // A bounded number of real creations on `local`, through the fuzzer's odd ids; deleted in afterAll.
      const r = new Rng(SEED ^ 0x5eed);
      for (let i = 0; i < MAX_CREATED; i++) {
        const collectionId = i % 2 ? `fuzz-${r.int(0, 1e9)}` : randomString(r);
        const o = await send(CASES + i, {
          kind: 'create-local',
          query: `mutation($c: CollectionRef!) { createCollection(input: { collection: $c }) { ${ERROR_FIELDS} ... on CreateCollectionSuccess { collection { collectionId } } } }`,
          variables: toJson({ c: { provider: 'local', collectionId } }),
        });
        const found = problems(o);
        if (o.text.includes('INTERNAL_SERVER_ERROR')) internal.push(`create-local ${JSON.stringify(collectionId).slice(0, 80)}`);
        if (found.length)
          failures.push(
            `create-local ${JSON.stringify(collectionId).slice(0, 80)}: ${found.join(', ')}\n  response: ${o.text.slice(0, 400)}`,
          );
        try {
          const id = (JSON.parse(o.text) as { data?: { createCollection?: { collection?: { collectionId?: string } } } }).data
            ?.createCollection?.collection?.collectionId;
          if (id !== undefined) created.push(id);
        } catch {
          // reported above
        }
      }

      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const summary = [...byKind].map(
        ([kind, s]) =>
          `${kind.padEnd(22)} ${String(s.n).padStart(5)}  ${[...s.statuses]
            .sort()
            .map(([st, n]) => `${st}×${n}`)
            .join(' ')}`,
      );
      console.info(
        `fuzz: ${CASES + MAX_CREATED} requests in ${seconds} s (seed ${SEED}); ${created.length} collections created on local (deleted after); ` +
          `${internal.length} masked INTERNAL_SERVER_ERROR answers\n${summary.join('\n')}`,
      );
      expect(failures.slice(0, 10), `${failures.length} bad answers`).toEqual([]);
      expect(internal.slice(0, 10), `${internal.length} INTERNAL_SERVER_ERROR answers (causes in the gateway log)`).toEqual([]);
    },
  );

  it('still answers { providers { name } } afterwards', async () => {
    const data = await gqlData<{ providers: { name: string }[] }>(url, '{ providers { name } }');
    expect(data.providers.map((p) => p.name)).toContain('local');
  });
});
