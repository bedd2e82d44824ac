/**
 * The source images of faces indexed on Rekognition, kept in the gateway's
 * store for an instance with `retainImages: true` (off by default: face
 * images are biometric data, and Rekognition itself keeps none). They are
 * what a gateway snapshot carries, so that a collection can be copied from
 * AWS to another provider (which re-detects each face in its image) and back.
 *
 * Rows of the store's provider records (scoped by instance and collection):
 * kind `face` maps a FaceId to its image's sha256 and index time, kind
 * `image-face` holds one `<sha256>/<FaceId>` key per face using an image,
 * so whether an image is still used is one ranged read. An image goes with
 * its last face (DeleteFaces) and with its collection (DeleteCollection);
 * the store erases it like the local provider's images (SQLite's
 * `secure_delete`, then a WAL checkpoint).
 */
import type { Store } from '../../store/store.js';
import type { CollectionRef } from '../../domain/records.js';

/** What is kept of one face: its image and when facegate indexed it (Rekognition does not say). */
export interface RetainedFace {
  sha256: string;
  indexedAt: Date;
}

const FACE = 'face';
const IMAGE_FACE = 'image-face';
/** Faces looked up per store read. */
const LOOKUP_CHUNK = 500;

/** The retained images of one Rekognition instance, in the gateway store. */
export class FaceImages {
  constructor(
    private readonly store: Store,
    private readonly provider: string,
  ) {}

  /** Keeps `bytes` as the image of `faceIds` (new faces of one IndexFaces call), in one transaction. Idempotent. */
  async retain(collectionId: string, sha256: string, bytes: Uint8Array, faceIds: readonly string[], at: Date): Promise<void> {
    if (faceIds.length === 0) return;
    const ref = this.ref(collectionId);
    await this.store.transaction(async (tx) => {
      await tx.putProviderImage(ref, sha256, bytes, at);
      await tx.putProviderRecords(
        ref,
        FACE,
        faceIds.map((key) => ({ key, value: JSON.stringify({ sha256, indexedAt: at.getTime() }) })),
        at,
      );
      await tx.putProviderRecords(
        ref,
        IMAGE_FACE,
        faceIds.map((faceId) => ({ key: `${sha256}/${faceId}`, value: '' })),
        at,
      );
    });
  }

  /** What is kept of each face, null where nothing is (indexed before `retainImages`, or outside facegate). */
  async facesOf(collectionId: string, faceIds: readonly string[]): Promise<(RetainedFace | null)[]> {
    const ref = this.ref(collectionId);
    const out: (RetainedFace | null)[] = [];
    for (let i = 0; i < faceIds.length; i += LOOKUP_CHUNK) {
      const part = faceIds.slice(i, i + LOOKUP_CHUNK);
      const values = await Promise.all(part.map((id) => this.store.getProviderRecord(ref, FACE, id)));
      for (const v of values) {
        if (v === null) out.push(null);
        else {
          const { sha256, indexedAt } = JSON.parse(v) as { sha256: string; indexedAt: number };
          out.push({ sha256, indexedAt: new Date(indexedAt) });
        }
      }
    }
    return out;
  }

  /** The store the images live in (snapshots are written there too). */
  storeOf(): Store {
    return this.store;
  }

  /** An image's bytes, or null. */
  image(collectionId: string, sha256: string): Promise<Uint8Array | null> {
    return this.store.getProviderImage(this.ref(collectionId), sha256);
  }

  /** Forgets deleted faces, and the images no remaining face uses (erased, not just unlinked). */
  async forgetFaces(collectionId: string, faceIds: readonly string[]): Promise<void> {
    if (faceIds.length === 0) return;
    const ref = this.ref(collectionId);
    await this.store.transaction(async (tx) => {
      const images = new Set<string>();
      const links: string[] = [];
      for (const faceId of faceIds) {
        const v = await tx.getProviderRecord(ref, FACE, faceId);
        if (v === null) continue;
        const { sha256 } = JSON.parse(v) as { sha256: string };
        images.add(sha256);
        links.push(`${sha256}/${faceId}`);
      }
      await tx.deleteProviderRecords(ref, FACE, faceIds);
      await tx.deleteProviderRecords(ref, IMAGE_FACE, links);
      const unused: string[] = [];
      for (const sha256 of images) {
        const [next] = await tx.listProviderRecords(ref, IMAGE_FACE, `${sha256}/`, 1);
        if (!next?.key.startsWith(`${sha256}/`)) unused.push(sha256);
      }
      await tx.deleteProviderImages(ref, unused);
    });
  }

  /** Forgets every face and image of the collection. */
  forgetCollection(collectionId: string): Promise<void> {
    return this.store.transaction((tx) => tx.deleteProviderCollection(this.ref(collectionId)));
  }

  private ref(collectionId: string): CollectionRef {
    return { provider: this.provider, collectionId };
  }
}
