/**
 * The generated files are committed (so the example builds and the tests run
 * without a codegen step): each must be what `npm run codegen` writes now
 * from schema.graphql and the documents codegen.yml names — the tests'
 * typed operations, the examples' and the React example's client preset.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/gateway.js';

describe('codegen outputs', () => {
  it('are committed as codegen.yml generates them (run `npm run codegen`)', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(REPO_ROOT, 'codegen.yml') });
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: REPO_ROOT, silent: true }, false);
    const files = outputs.map((o) => path.relative(REPO_ROOT, path.resolve(REPO_ROOT, o.filename))).sort();
    expect(files).toEqual(expect.arrayContaining(['examples/react/src/gql/gql.ts', 'examples/react/src/gql/graphql.ts', 'test/generated/graphql.ts']));
    for (const output of outputs) {
      const file = path.resolve(REPO_ROOT, output.filename);
      expect(readFileSync(file, 'utf8'), `${path.relative(REPO_ROOT, file)} is stale`).toBe(output.content);
    }
  });
});
