// Child process of test/local-provider/durability.test.ts: writes through the
// compiled store as fast as it can and prints `ack <i>` after each commit
// resolves, until it is killed. Usage: node durability-writer.mjs <dataDir>
import { randomUUID } from 'node:crypto';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('durability-writer: expected a data dir argument, got none');
  process.exit(2);
}
const { openSqliteStore } = await import(new URL('../../dist/src/store/sqlite/sqlite-store.js', import.meta.url).href);
const store = await openSqliteStore(dataDir);
const collection = await store.transaction((tx) =>
  tx.insertCollection({ provider: 'local', collectionId: 'durable', faceModelVersion: null, createdAt: new Date() }),
);
process.stdout.write('ready\n');

const descriptor = new Float32Array(128).fill(0.01);
for (let i = 0; ; i++) {
  await store.transaction(async (tx) => {
    const user = await tx.insertUser(collection.key, `u${i}`, new Date());
    const [face] = await tx.insertFaces(
      collection.key,
      [
        {
          faceId: randomUUID(),
          externalImageId: `img-${i}`,
          boundingBox: { left: 0, top: 0, width: 0.5, height: 0.5 },
          confidence: 99,
          descriptor,
          indexedAt: new Date(),
        },
      ],
      null,
    );
    await tx.setFacesUser(collection.key, [face.seq], user.seq);
    await tx.refreshUserStatus(user.seq);
  });
  // Pipes are written synchronously on POSIX: once this returns the ack is out.
  process.stdout.write(`ack ${i}\n`);
}
