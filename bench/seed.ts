/**
 * Seeds a collection straight through the store with synthetic descriptors
 * (no inference), for benchmarks that need thousands of faces.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../src/store/store.js';

/** A random unit-length 128-d descriptor. */
export function randomDescriptor(): Float32Array {
  const d = new Float32Array(128);
  let norm = 0;
  for (let i = 0; i < d.length; i++) {
    d[i] = Math.random() * 2 - 1;
    norm += d[i] * d[i];
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < d.length; i++) d[i] *= scale;
  return d;
}

export interface SeedSpec {
  provider: string;
  collectionId: string;
  users: number;
  /** Faces in all; the first `users × facesPerUser` are associated. */
  faces: number;
  facesPerUser: number;
}

/** Creates the collection with users and faces, 1,000 rows a transaction. */
export async function seedCollection(store: Store, spec: SeedSpec): Promise<void> {
  const now = new Date();
  const collection = await store.transaction((tx) =>
    tx.insertCollection({ provider: spec.provider, collectionId: spec.collectionId, faceModelVersion: 'synthetic', createdAt: now }),
  );
  const userSeqs: number[] = [];
  for (let start = 0; start < spec.users; start += 1000) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(spec.users, start + 1000); i++) {
        userSeqs.push((await tx.insertUser(collection.key, `user-${String(i).padStart(6, '0')}`, now)).seq);
      }
    });
  }
  for (let start = 0; start < spec.faces; start += 1000) {
    await store.transaction(async (tx) => {
      const count = Math.min(spec.faces, start + 1000) - start;
      const faces = Array.from({ length: count }, (_, i) => ({
        faceId: randomUUID(),
        externalImageId: `img-${start + i}`,
        boundingBox: { left: 0.25, top: 0.25, width: 0.5, height: 0.5 },
        confidence: 99,
        descriptor: randomDescriptor(),
        indexedAt: now,
      }));
      const rows = await tx.insertFaces(collection.key, faces, null);
      const touched = new Set<number>();
      for (let i = 0; i < rows.length; i++) {
        const user = Math.floor((start + i) / spec.facesPerUser);
        if (user >= userSeqs.length) break;
        await tx.setFacesUser(collection.key, [rows[i].seq], userSeqs[user]);
        touched.add(userSeqs[user]);
      }
      for (const seq of touched) await tx.refreshUserStatus(seq);
    });
  }
}
