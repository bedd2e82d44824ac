/**
 * What the Rekognition provider's operations share: the state of one
 * provider instance, handed to each operation module explicitly.
 */
import type { SdkCalls } from './sdk-calls.js';

/** The state of one Rekognition provider instance. */
export interface RekognitionDeps {
  /** The SDK client and its call wrapper. */
  readonly calls: SdkCalls;
  /** Parallel calls one batched method makes (DescribeCollection per id, ListFaces per user); the provider option, 8 by default. */
  readonly concurrency: number;
}
