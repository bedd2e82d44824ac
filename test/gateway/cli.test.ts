/** The facegate CLI against the running gateway (and `serve`, a gateway of its own). */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { gqlData, REPO_ROOT } from '../support/gateway.js';
import { createCollection, createUsers, ref, uniqueCollectionId } from '../support/fixtures.js';
import { PHOTOS } from '../support/photos.js';

const url = inject('gatewayUrl');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/src/cli/main.js', ...args, '--url', url], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });

describe('facegate CLI', () => {
  it('takes a snapshot with --watch, drawing progress, and applies it', async () => {
    const id = uniqueCollectionId('cli');
    await createCollection(url, id);
    await createUsers(
      url,
      id,
      Array.from({ length: 300 }, (_, i) => `u${i}`),
    );
    const took = cli('snapshot', 'take', '--provider', 'local', '--collection', id, '--watch');
    expect(took.status).toBe(0);
    const result = JSON.parse(took.stdout.trim().split('\n').at(-1)!);
    expect(result.status).toBe('SUCCEEDED');
    expect(took.stderr).toMatch(/\[#+-*\]\s+100\.0% SUCCEEDED 300\/300/);

    const applied = cli(
      'snapshot',
      'apply',
      '--snapshot',
      result.snapshotId,
      '--provider',
      'local',
      '--collection',
      `${id}-copy`,
      '--watch',
    );
    expect(applied.status).toBe(0);
    expect(cli('collections', 'ls').stdout).toContain(`${id}-copy\tusers=300\tfaces=0`);
  });

  it('exits non-zero with the error value for a missing collection', () => {
    const run = cli('snapshot', 'take', '--collection', 'no-such-collection');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('CollectionNotFound (COLLECTION_NOT_FOUND)');
  });

  it('prints the schema SDL, the same as the committed schema.graphql', () => {
    const run = cli('schema');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(path.join(REPO_ROOT, 'schema.graphql'), 'utf8'));
  });

  it('indexes a folder into a user with a progress bar, reporting the file that failed', async () => {
    const id = uniqueCollectionId('cli-index');
    await createCollection(url, id);
    const dir = mkdtempSync(path.join(tmpdir(), 'facegate-cli-index-'));
    try {
      copyFileSync(PHOTOS.franck[0], path.join(dir, 'franck 1.jpg'));
      copyFileSync(PHOTOS.franck[1], path.join(dir, 'franck-2.jpg'));
      writeFileSync(path.join(dir, 'broken.png'), 'not an image');
      writeFileSync(path.join(dir, 'notes.txt'), 'not an image either, and not a .jpg/.png: skipped');
      const run = cli('index', dir, '--collection', id, '--user', 'franck');
      expect(run.status).toBe(1);
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ images: 3, faces: 2, associated: 2 });
      expect(summary.failed).toEqual([{ file: path.join(dir, 'broken.png'), code: 'INVALID_IMAGE', message: expect.any(String) }]);
      expect(run.stderr).toMatch(/\[#+\]\s+100\.0% 3\/3 /);
      const data = await gqlData(
        url,
        `query($c: CollectionRef!) { collection(ref: $c) { faceCount user(userId: "franck") { faceCount status } faces { edges { node { externalImageId } } } } }`,
        {
          c: ref(id),
        },
      );
      expect(data.collection.user).toEqual({ faceCount: 2, status: 'ACTIVE' });
      expect(data.collection.faces.edges.map((e: { node: { externalImageId: string } }) => e.node.externalImageId).sort()).toEqual([
        'franck-2.jpg',
        'franck_1.jpg',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve runs the gateway like npm start and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-cli-serve-'));
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const served = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const line = out.split('\n').find((l) => l.includes('"facegate listening"'));
          if (line) resolve(JSON.parse(line).url);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect((await gqlData(served, '{ providers { name } }')).providers).toEqual([{ name: 'local' }]);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
