import { z } from 'zod';
import { defineProvider } from '../definition.js';
import { RekognitionProvider } from './rekognition-provider.js';

/**
 * Options of a `rekognition` provider entry, e.g.
 * `{ "name": "aws-eu", "kind": "rekognition", "region": "eu-west-1" }`.
 *
 * Credentials: leave `accessKeyId`/`secretAccessKey` out and let the AWS
 * SDK's default chain find them (environment, shared profile, SSO, ECS/EC2
 * instance roles) — that keeps secrets out of configuration files. Static
 * keys are accepted for tests and for hosts without any of those; both or
 * neither must be given.
 */
export const rekognitionOptions = z
  .object({
    /** AWS region; absent → AWS_REGION / the shared profile. */
    region: z.string().min(1).optional(),
    /** Endpoint override (a fake, a VPC endpoint); absent → the SDK's, including AWS_ENDPOINT_URL_REKOGNITION. */
    endpoint: z.string().url().optional(),
    /** Attempts per call, first included (the SDK retries throttling, 5xx and network errors). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** One attempt taking longer is abandoned (and retried). */
    requestTimeoutMs: z.number().int().min(1).max(600_000).optional(),
    /** Parallel calls one batched lookup makes. */
    concurrency: z.number().int().min(1).max(64).optional(),
    /**
     * Keep the source image of each face indexed through facegate in the
     * gateway store, so snapshots can be taken from and applied to this
     * instance. Off by default: face images are biometric data (and
     * Rekognition itself keeps none); turn it on only where keeping them is
     * lawful. Faces indexed while it was off have no image and make a take
     * answer UnsupportedOperation.
     */
    retainImages: z.boolean().default(false),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
  })
  .strict()
  .refine((o) => (o.accessKeyId === undefined) === (o.secretAccessKey === undefined), {
    message: 'expected both accessKeyId and secretAccessKey, or neither (the default credential chain is preferred)',
    path: ['accessKeyId'],
  })
  .refine((o) => o.sessionToken === undefined || o.accessKeyId !== undefined, {
    message: 'expected sessionToken only together with accessKeyId and secretAccessKey',
    path: ['sessionToken'],
  });

/** AWS Rekognition through `@aws-sdk/client-rekognition`. */
export const rekognitionDefinition = defineProvider({
  kind: 'rekognition',
  options: rekognitionOptions,
  create: (name, options, deps) =>
    new RekognitionProvider({
      name,
      region: options.region,
      endpoint: options.endpoint,
      maxAttempts: options.maxAttempts,
      requestTimeoutMs: options.requestTimeoutMs,
      concurrency: options.concurrency,
      retainImages: options.retainImages,
      store: deps?.store,
      logger: deps?.logger,
      credentials:
        options.accessKeyId !== undefined && options.secretAccessKey !== undefined
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, sessionToken: options.sessionToken }
          : undefined,
    }),
});
