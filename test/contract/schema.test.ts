/**
 * The public API contract (test/contract/schema-contract.graphql and
 * contract-face-operations.graphql, read as one document: the names
 * frontends rely on) against the schema we build, and the committed
 * schema.graphql and possible-types.json (Apollo Client's possibleTypes, by
 * GraphQL Code Generator's fragment-matcher) against a fresh build
 * (`npm run schema` refreshes both).
 *
 * Defaults are compared as GraphQL literals (`[DEFAULT]`, `AUTO`, `80`), not
 * as JavaScript values: a list default is a new array in each schema, and an
 * enum's internal value need not be its name.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  astFromValue, buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, lexicographicSortSchema, print,
  printSchema, type GraphQLInputType, type GraphQLNamedType,
} from 'graphql';
import { CAPABILITIES } from '../../dist/src/domain/records.js';
import { plugin as fragmentMatcher } from '@graphql-codegen/fragment-matcher';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { REPO_ROOT } from '../support/gateway.js';

/** Contract parts that land with a later issue; each entry names it. Empty when all is built. */
const NOT_YET: Record<string, string> = {};

/** The contract's files, one document (the second extends the first's types). */
const CONTRACT_FILES = ['schema-contract.graphql', 'contract-face-operations.graphql'];

/**
 * Contract enums that name values of a String field rather than a type of
 * the schema: each is checked against the list the field's values come from.
 */
const VALUE_SETS: Record<string, readonly string[]> = {
  /** Provider.capabilities: [String!]! (kept a String list for compatibility). */
  Capability: CAPABILITIES,
};

function fieldsOf(type: GraphQLNamedType) {
  return isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? type.getFields() : {};
}

/** A default as the GraphQL literal it is written as (`[DEFAULT]`), or `none`. */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === undefined) return 'none';
  try {
    const ast = astFromValue(value, type);
    return ast ? print(ast) : 'none';
  } catch {
    return `unprintable ${JSON.stringify(value)}`;
  }
}

describe('public API contract', async () => {
  const contract = buildSchema(CONTRACT_FILES.map((f) => readFileSync(path.join(REPO_ROOT, 'test/contract', f), 'utf8')).join('\n'));
  const ours = await buildGatewaySchema();

  it('implements every type, field, argument, enum value and union member of the contract', () => {
    const missing: string[] = [];
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith('__') || NOT_YET[type.name]) continue;
      const values = VALUE_SETS[type.name];
      if (values && isEnumType(type)) {
        for (const v of type.getValues()) if (!values.includes(v.name)) missing.push(`${type.name}.${v.name}`);
        continue;
      }
      const mine = ours.getType(type.name);
      if (!mine) {
        missing.push(`type ${type.name}`);
        continue;
      }
      if (mine.constructor !== type.constructor) missing.push(`${type.name}: kind differs`);
      for (const [name, field] of Object.entries(fieldsOf(type))) {
        if (NOT_YET[`${type.name}.${name}`]) continue;
        const myField = fieldsOf(mine)[name];
        if (!myField) {
          missing.push(`${type.name}.${name}`);
          continue;
        }
        if (String(myField.type) !== String(field.type)) missing.push(`${type.name}.${name}: ${String(myField.type)} ≠ ${String(field.type)}`);
        for (const arg of 'args' in field ? field.args : []) {
          const myArg = 'args' in myField ? myField.args.find((a) => a.name === arg.name) : undefined;
          if (!myArg) missing.push(`${type.name}.${name}(${arg.name})`);
          else if (String(myArg.type) !== String(arg.type) || literal(myArg.defaultValue, myArg.type) !== literal(arg.defaultValue, arg.type)) {
            missing.push(`${type.name}.${name}(${arg.name}): ${String(myArg.type)} = ${literal(myArg.defaultValue, myArg.type)}`);
          }
        }
        if ('defaultValue' in field && 'defaultValue' in myField) {
          const [theirs, ours] = [literal(field.defaultValue, field.type), literal(myField.defaultValue, myField.type)];
          if (theirs !== ours) missing.push(`${type.name}.${name} default ${ours} ≠ ${theirs}`);
        }
      }
      if (isEnumType(type) && isEnumType(mine)) {
        for (const v of type.getValues()) if (!mine.getValue(v.name)) missing.push(`${type.name}.${v.name}`);
      }
      if (isUnionType(type) && isUnionType(mine)) {
        const members = new Set(mine.getTypes().map((t) => t.name));
        for (const t of type.getTypes()) if (!members.has(t.name)) missing.push(`${type.name} | ${t.name}`);
      }
      if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(mine) || isInterfaceType(mine))) {
        const ifaces = new Set(mine.getInterfaces().map((i) => i.name));
        for (const i of type.getInterfaces()) if (!ifaces.has(i.name)) missing.push(`${type.name} implements ${i.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('has a committed schema.graphql identical to the built schema (run `npm run schema`)', () => {
    const built = `${printSchema(lexicographicSortSchema(ours))}\n`;
    expect(readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8')).toBe(built);
  });

  it('has a committed possible-types.json identical to the fragment-matcher output of the built schema (run `npm run schema`)', async () => {
    // The options of its entry in codegen.yml.
    const built = await fragmentMatcher(ours, [], { apolloClientVersion: 3, deterministic: true }, { outputFile: 'possible-types.json' });
    const committed = readFileSync(path.join(REPO_ROOT, 'possible-types.json'), 'utf8');
    expect(committed).toBe(built);
    expect(JSON.parse(committed).possibleTypes.Error).toContain('CollectionAlreadyExists');
  });
});
