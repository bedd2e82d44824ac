/** The query limits' options and defaults, in a module of their own so each rule's module (query-cost.ts, query-limits.ts) can read them. */

/** Limits on one GraphQL document. A limit of `Infinity` turns its check off. */
export interface QueryLimits {
  /**
   * Deepest nesting of fields in an operation; `{ providers { name } }` is 2.
   * `__Type.ofType` does not add a level, so the standard introspection query
   * (GraphiQL, codegen) is 6 deep.
   * @default 12
   */
  maxDepth: number;
  /**
   * Largest estimated cost of an operation: each field counts 1, and each
   * image it takes {@link imageCost} more, times the page size of every list
   * around it (`first`, or the argument's default).
   * `collection { users(first: 100) { edges { node { faces(first: 100) { edges { node { faceId } } } } } } }`
   * costs 30,302 (10,000 faces × 3 fields, plus 302). An introspection
   * field costs {@link introspectionCost}; only `__typename` is free. The
   * rate limiter spends this cost.
   * @default 50000
   */
  maxCost: number;
  /**
   * What one image input adds to a field's cost: a field with an
   * `ImageInput` in its arguments (`searchUsersByImage`, `indexFaces`) means
   * a decode and an inference on the local engine, or a billed call on a
   * cloud provider, where a plain field is a lookup in memory or one row of
   * a page.
   * @default 1000
   */
  imageCost: number;
  /**
   * What one provider call or index search adds to a field that makes it
   * without an image to decode: `searchFaces` and `searchUsers` (a billed
   * call on a cloud provider, a search of the collection locally), and
   * `identifyFaces` once per face it may search (its `maxFaces`, the
   * largest, 100, when given as a variable). A field declares its calls
   * with the {@link PROVIDER_CALLS} extension.
   * @default 100
   */
  providerCallCost: number;
  /**
   * What an introspection root field (`__schema`, `__type`) costs, whatever
   * it selects: the answer is built from the schema, whose size is fixed,
   * and how much of it one field may repeat is bounded by graphql-js's
   * MaxIntrospectionDepthRule (types within types at most twice) and
   * {@link maxDepth}. Counted by the fields under it, GraphiQL's
   * introspection query alone would cost more than {@link maxCost} (its
   * lists at {@link defaultListSize} each, 51,853), though its answer on
   * this schema is about 100 kB.
   * @default 1000
   */
  introspectionCost: number;
  /**
   * Most image inputs one operation may take (each `ImageInput` in the
   * arguments of its fields, through fragments and times the lists around
   * them); more is TOO_MANY_IMAGES before anything runs.
   * @default 4
   */
  maxImageInputs: number;
  /**
   * Most aliased fields in one document, counted as written (fragments once).
   * Not 100: clients legitimately batch up to 500 aliased mutations
   * (`u0: createUser(…) u1: createUser(…) …`) in one request.
   * @default 1000
   */
  maxAliases: number;
  /**
   * Most aliases of costly fields — those that take an image or declare
   * provider calls ({@link PROVIDER_CALLS}) — in one
   * document, counted as written (fragments once); graphql-armor's limit
   * for every alias. Cheap fields keep {@link maxAliases}: a batch of
   * `createUser`s is one cheap provider call each, no image.
   * @default 15
   */
  maxCostlyAliases: number;
  /**
   * Most introspection root fields (`__schema`, `__type`) in one document,
   * counted as written: the standard introspection query (GraphiQL, codegen)
   * has one, and each one more is the whole schema again.
   * @default 1
   */
  maxIntrospectionFields: number;
  /**
   * Most fields at the root of one operation, through fragments; this is
   * what bounds batched mutations.
   * @default 1000
   */
  maxRootFields: number;
  /**
   * Longest document, in characters (UTF-16 code units), checked before
   * parsing by {@link checkDocumentSize}. 500 aliased `createUser`s with
   * their error fields are about 70,000.
   * @default 100000
   */
  maxDocumentChars: number;
  /**
   * The largest `first` any list accepts. This is the one page-size limit:
   * the gateway hands the same number (the config's `limits.maxPageSize`)
   * to the resolvers, which refuse a larger `first` with INVALID_INPUT
   * before doing any work. A `first` given as a variable counts as this
   * (rules run before variables are known); a literal above it counts as
   * this too. Below 100, a list asked without `first` (the schema's
   * defaults are 50 and 100) is refused as well.
   * @default 500
   */
  maxPageSize: number;
  /**
   * Page size assumed for a `first` argument that is absent and has no
   * default in the schema (every `first` in this schema has one: 50 or 100).
   * @default 100
   */
  defaultPageSize: number;
  /**
   * Length assumed for a list of objects that has no `first` argument, e.g.
   * `providers` or `IndexFacesSuccess.faces`. The `edges` list right under
   * a paginated field is not multiplied again.
   * @default 10
   */
  defaultListSize: number;
}

/** Each limit's default, as documented on {@link QueryLimits}; the config file's `limits` override them one by one. */
export const DEFAULT_QUERY_LIMITS: Readonly<QueryLimits> = Object.freeze({
  maxDepth: 12,
  maxCost: 50_000,
  imageCost: 1000,
  providerCallCost: 100,
  introspectionCost: 1000,
  maxImageInputs: 4,
  maxAliases: 1000,
  maxCostlyAliases: 15,
  maxIntrospectionFields: 1,
  maxRootFields: 1000,
  maxDocumentChars: 100_000,
  maxPageSize: 500,
  defaultPageSize: 100,
  defaultListSize: 10,
});
