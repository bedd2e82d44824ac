/**
 * What the Rekognition provider's operations share: the state of one
 * provider instance, handed to each operation module explicitly.
 */
import type { Logger } from 'pino';
import type { FaceImages } from './face-images.js';
import type { SdkCalls } from './sdk-calls.js';

/** The state of one Rekognition provider instance. */
export interface RekognitionDeps {
  /** The SDK client and its call wrapper. */
  readonly calls: SdkCalls;
  /** Parallel calls one batched method makes (DescribeCollection per id, ListFaces per user); the provider option, 8 by default. */
  readonly concurrency: number;
  /** The retained source images of indexed faces: present only with `retainImages: true` (and a store). @default absent */
  readonly images?: FaceImages;
  /** Where what the adapter drops is said (unknown reasons of Rekognition's answers). @default absent: nothing logged */
  readonly logger?: Logger;
}
