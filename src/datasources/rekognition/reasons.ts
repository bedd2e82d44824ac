/**
 * The `Reasons` of Rekognition's per-face failures (UnsuccessfulFaceDeletions,
 * UnsuccessfulFaceAssociations, UnsuccessfulFaceDisassociations) checked
 * against the reasons the contract names (domain/records.ts). The SDK types them as plain
 * strings and AWS may add reasons at any time; one passed through unchecked
 * would break the GraphQL enum serialization of the whole response. A
 * reason the contract does not know is dropped from `reasons`, kept
 * verbatim in `providerReasons`, and logged.
 */
import type { Logger } from 'pino';
import type { RekognitionDeps } from './rekognition-deps.js';

/** Where an unknown reason came from, for the log line. */
export interface ReasonSource {
  provider: string;
  operation: string;
  faceId: string;
  logger?: Logger;
}

/** `wire` split into the reasons of `known` and the others (verbatim, each once), the others logged. */
export function splitReasons<R extends string>(
  known: readonly R[],
  wire: readonly string[] | undefined,
  source: ReasonSource,
): { reasons: R[]; providerReasons: string[] } {
  const names: ReadonlySet<string> = new Set(known);
  const reasons = new Set<R>();
  const other = new Set<string>();
  for (const r of wire ?? []) {
    if (names.has(r)) reasons.add(r as R);
    else other.add(r);
  }
  const providerReasons = [...other];
  if (providerReasons.length > 0) {
    const { logger, ...where } = source;
    logger?.warn(
      { ...where, providerReasons, known },
      'Rekognition gave a failure reason this gateway does not know: kept in providerReasons, left out of reasons',
    );
  }
  return { reasons: [...reasons], providerReasons };
}

/** Where a reason of `operation` about `faceId` came from. */
export function source(deps: RekognitionDeps, operation: string, faceId: string | undefined): ReasonSource {
  return { provider: deps.calls.name, operation, faceId: faceId ?? '', logger: deps.logger };
}
