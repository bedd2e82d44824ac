/**
 * The docs tell the truth: the README's commands are the two CI runs, its
 * first curl and first GraphQL example work against a fresh gateway, and the
 * capability matrix of docs/providers.md is what the gateway reports.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gqlData, REPO_ROOT, removeDataDir, startGateway, type GatewayProcess } from '../support/gateway.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = (lang: string): string[] => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);

let gateway: GatewayProcess;

beforeAll(async () => {
  gateway = await startGateway();
});

afterAll(async () => {
  await gateway?.stop();
  if (gateway) removeDataDir(gateway.dataDir);
});

describe('README', () => {
  it('sets up with npm ci && npm start and tests with npm test', () => {
    const commands = blocks('sh')[0]
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['npm ci && npm start', 'npm test']);
    expect(readme).toContain('http://127.0.0.1:4000/graphql');
  });

  it("runs the first curl and the first GraphQL example as written (on this test's port)", () => {
    const curl = blocks('sh')
      .flatMap((b) => b.split('\n'))
      .find((l) => l.startsWith('curl '))!;
    const { host } = new URL(gateway.url);
    const out = execFileSync('sh', ['-c', curl.replace('localhost:4000', host)], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(out)).toEqual({ data: { createCollection: { __typename: 'CreateCollectionSuccess' } } });
  });

  it('runs the first GraphQL block', async () => {
    const data = await gqlData(gateway.url, blocks('graphql')[0]);
    expect(data.createUser).toEqual({
      __typename: 'CreateUserSuccess',
      user: { id: expect.any(String), userId: 'alice', status: 'CREATED' },
    });
  });
});

describe('docs/providers.md', () => {
  it('has the capability matrix the gateway reports for each kind', async () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/providers.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| capability | local | rekognition | azure-face |'));
    const rows = table
      .split('\n')
      .slice(2)
      .filter((l) => l.startsWith('| '));
    const documented: Record<string, string[]> = { LOCAL: [], REKOGNITION: [], AZURE_FACE: [] };
    for (const row of rows) {
      const [capability, ...cells] = row
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
      cells.forEach((cell, i) => cell === '✓' && documented[['LOCAL', 'REKOGNITION', 'AZURE_FACE'][i]].push(capability));
    }
    // The shared gateway runs one instance of each kind.
    const { providers } = await gqlData(inject('gatewayUrl'), '{ providers { kind capabilities } }');
    for (const p of providers as { kind: string; capabilities: string[] }[])
      expect([...p.capabilities].sort()).toEqual(documented[p.kind].sort());
    expect(new Set((providers as { kind: string }[]).map((p) => p.kind))).toEqual(new Set(Object.keys(documented)));
  });
});
