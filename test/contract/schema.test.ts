/**
 * The public API contract (test/contract/schema-contract.graphql, the names
 * frontends rely on) against the schema we build, and the committed
 * schema.graphql and possible-types.json (Apollo Client's possibleTypes, by
 * GraphQL Code Generator's fragment-matcher) against a fresh build
 * (`npm run schema` refreshes both).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, lexicographicSortSchema, printSchema,
  type GraphQLNamedType,
} from 'graphql';
import { plugin as fragmentMatcher } from '@graphql-codegen/fragment-matcher';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../dist/src/execution/build-schema.js';
import { REPO_ROOT } from '../support/gateway.js';

/** Contract parts that land with a later issue; each entry names it. Empty when all is built. */
const NOT_YET: Record<string, string> = {};

function fieldsOf(type: GraphQLNamedType) {
  return isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? type.getFields() : {};
}

describe('public API contract', async () => {
  const contract = buildSchema(readFileSync(path.join(REPO_ROOT, 'test/contract/schema-contract.graphql'), 'utf8'));
  const ours = await buildGatewaySchema();

  it('implements every type, field, argument, enum value and union member of the contract', () => {
    const missing: string[] = [];
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith('__') || NOT_YET[type.name]) continue;
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
          else if (String(myArg.type) !== String(arg.type) || myArg.defaultValue !== arg.defaultValue) {
            missing.push(`${type.name}.${name}(${arg.name}): ${String(myArg.type)} = ${String(myArg.defaultValue)}`);
          }
        }
        if ('defaultValue' in field && 'defaultValue' in myField && field.defaultValue !== myField.defaultValue) {
          missing.push(`${type.name}.${name} default ${String(myField.defaultValue)} ≠ ${String(field.defaultValue)}`);
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
