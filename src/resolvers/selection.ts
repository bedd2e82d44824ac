/**
 * Whether a query selects a field below the current one, so a list resolver
 * can load what its items' fields will need in one batch before answering.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * True when the selection of the current field reaches `path` (field names,
 * through inline fragments and fragment spreads). `@skip`/`@include` are not
 * evaluated: a conditionally selected field counts as selected.
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  // A field node belongs to one parsed document, which Apollo and the query plans keep: walk it once per path.
  if (info.fieldNodes.length !== 1) return walk(info, path);
  let byNode = answers.get(path);
  if (!byNode) answers.set(path, (byNode = new WeakMap()));
  let answer = byNode.get(info.fieldNodes[0]);
  if (answer === undefined) byNode.set(info.fieldNodes[0], (answer = walk(info, path)));
  return answer;
}

const answers = new WeakMap<readonly string[], WeakMap<FieldNode, boolean>>();

function walk(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const [depth, name] of path.entries()) {
    const next: SelectionSetNode[] = [];
    let found = false;
    for (const set of sets) found = collect(set, name, info.fragments, next, new Set()) || found;
    if (!found) return false;
    if (depth === path.length - 1) return true;
    sets = next;
  }
  return true;
}

/** Pushes the selection sets of the fields named `name` in `set` onto `out`; true when there is such a field. */
function collect(
  set: SelectionSetNode,
  name: string,
  fragments: Record<string, FragmentDefinitionNode>,
  out: SelectionSetNode[],
  seen: Set<string>,
): boolean {
  let found = false;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value !== name) continue;
      found = true;
      if (s.selectionSet) out.push(s.selectionSet);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      found = collect(s.selectionSet, name, fragments, out, seen) || found;
    } else if (!seen.has(s.name.value) && fragments[s.name.value]) {
      seen.add(s.name.value);
      found = collect(fragments[s.name.value].selectionSet, name, fragments, out, seen) || found;
    }
  }
  return found;
}
