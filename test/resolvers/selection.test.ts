/** `selects`: whether a query reaches a field below the current one, through fragments. */
import { parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selects } from '../../dist/src/resolvers/selection.js';

/** The resolve info of the query's first root field, as far as `selects` reads it. */
function infoOf(query: string) {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selects', () => {
  const path = ['edges', 'node', 'faces'];

  it('finds a field selected directly', () => {
    expect(selects(infoOf('{ users { edges { node { faces { totalCount } } } } }'), path)).toBe(true);
  });

  it('finds a field through inline fragments and fragment spreads', () => {
    expect(selects(infoOf('{ users { ... on C { edges { ...E } } } } fragment E on Edge { node { ... { faces { x } } } }'), path)).toBe(
      true,
    );
  });

  it('does not find a field that is not selected, or selected at another level', () => {
    expect(selects(infoOf('{ users { edges { node { userId } } } }'), path)).toBe(false);
    expect(selects(infoOf('{ users { faces { x } edges { cursor } } }'), path)).toBe(false);
  });

  it('stops on fragments that spread themselves', () => {
    expect(selects(infoOf('{ users { ...A } } fragment A on C { ...A edges { node { userId } } }'), path)).toBe(false);
  });
});
