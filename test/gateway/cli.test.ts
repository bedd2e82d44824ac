/** The facegate CLI against the running gateway. */
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../support/gateway.js';
import { createCollection, createUsers, uniqueCollectionId } from '../support/fixtures.js';

const url = inject('gatewayUrl');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/src/cli/main.js', ...args, '--url', url], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

describe('facegate CLI', () => {
  it('takes a snapshot with --watch, drawing progress, and applies it', async () => {
    const id = uniqueCollectionId('cli');
    await createCollection(url, id);
    await createUsers(url, id, Array.from({ length: 300 }, (_, i) => `u${i}`));
    const took = cli('snapshot', 'take', '--provider', 'local', '--collection', id, '--watch');
    expect(took.status).toBe(0);
    const result = JSON.parse(took.stdout.trim().split('\n').at(-1)!);
    expect(result.status).toBe('SUCCEEDED');
    expect(took.stderr).toMatch(/\[#+-*\]\s+100\.0% SUCCEEDED 300\/300/);

    const applied = cli('snapshot', 'apply', '--snapshot', result.snapshotId, '--provider', 'local', '--collection', `${id}-copy`, '--watch');
    expect(applied.status).toBe(0);
    expect(cli('collections', 'ls').stdout).toContain(`${id}-copy\tusers=300\tfaces=0`);
  });

  it('exits non-zero with the error value for a missing collection', () => {
    const run = cli('snapshot', 'take', '--collection', 'no-such-collection');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('CollectionNotFound (COLLECTION_NOT_FOUND)');
  });
});
