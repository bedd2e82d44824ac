/**
 * How the adapter sends SDK calls: each through {@link SdkCalls.run}, which
 * refuses calls once the provider is closed, hands the caller's abort signal
 * to the SDK, and maps every failure to a DomainError (errors.ts).
 *
 * Retries are the SDK's (standard mode, `maxAttempts`, exponential backoff
 * with jitter, throttling errors and 5xx/network errors retried), configured
 * on the client the provider builds.
 */
import { DescribeCollectionCommand, type RekognitionClient } from '@aws-sdk/client-rekognition';
import { DomainError } from '../../domain/errors.js';
import { REKOGNITION_IMAGE_FORMATS, requireImageFormat } from '../../images/image-format.js';
import type { CallOptions } from '../provider.js';
import { providerCodeOf, toDomainError, type CallContext } from './errors.js';

/** The SDK's per-send options. */
export type SendOptions = { abortSignal?: AbortSignal };

/** The SDK client of one provider instance, and whether that instance is closed. */
export class SdkCalls {
  private closed = false;

  /** `name` is the instance name every error carries. */
  constructor(
    readonly name: string,
    readonly client: RekognitionClient,
  ) {}

  /**
   * `bytes` as an SDK `Image`, refused first (INVALID_IMAGE naming `field`)
   * unless JPEG or PNG: what AWS refuses as InvalidImageFormatException, so
   * no call is made for it.
   */
  image(field: string, bytes: Uint8Array): { Bytes: Uint8Array } {
    requireImageFormat(field, bytes, REKOGNITION_IMAGE_FORMATS, this.name);
    return { Bytes: bytes };
  }

  /** What a call to `operation` is about, for its errors. */
  context(operation: string, extra: Omit<CallContext, 'provider' | 'operation'> = {}): CallContext {
    return { provider: this.name, operation, ...extra };
  }

  /**
   * Runs one SDK call and maps its failure. A ResourceNotFoundException of
   * a user operation is ambiguous (the user or its collection?): one
   * DescribeCollection settles it.
   */
  async run<T>(ctx: CallContext, call: CallOptions | undefined, send: (options: SendOptions) => Promise<T>): Promise<T> {
    if (this.closed) {
      throw new DomainError(
        'PROVIDER_UNAVAILABLE',
        `Provider "${this.name}" is unavailable: expected an open provider, got one that was closed`,
        {
          provider: this.name,
          operation: ctx.operation,
        },
      );
    }
    try {
      // The call's signal aborts the HTTP request (and stops the SDK's retries); read only here, when a request is sent.
      return await send({ abortSignal: call?.signal });
    } catch (e) {
      if (ctx.notFound === 'user' && providerCodeOf(e) === 'ResourceNotFoundException' && ctx.collectionId !== undefined) {
        if (!(await this.collectionExists(ctx.collectionId, call))) throw toDomainError(e, { ...ctx, notFound: 'collection' });
      }
      throw toDomainError(e, ctx);
    }
  }

  /** Closes the SDK's sockets; later calls fail with PROVIDER_UNAVAILABLE. */
  close(): void {
    this.closed = true;
    this.client.destroy();
  }

  /** DescribeCollection: false on COLLECTION_NOT_FOUND; any other failure is thrown, mapped. */
  async collectionExists(collectionId: string, call: CallOptions | undefined): Promise<boolean> {
    try {
      await this.run(this.context('DescribeCollection', { collectionId }), call, (o) =>
        this.client.send(new DescribeCollectionCommand({ CollectionId: collectionId }), o),
      );
      return true;
    } catch (check) {
      if (check instanceof DomainError && check.code === 'COLLECTION_NOT_FOUND') return false;
      throw check;
    }
  }
}
