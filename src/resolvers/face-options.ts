/**
 * What the face operations' resolvers share: refusing an operation the
 * provider instance does not advertise, and turning the FaceAttribute
 * list a caller sent into the attributes the provider is asked to fill.
 *
 * An attribute the instance does not advertise (no `FACE_ATTRIBUTE_<NAME>`
 * capability) is refused with UnsupportedOperation naming that capability,
 * like an operation it does not advertise: the request is valid, this
 * instance cannot do it, and another instance might. ALL is every attribute
 * the instance advertises, so it is never refused.
 */
import { FACE_ATTRIBUTES, attributeCapability, type FaceAttributeName } from '../domain/face-details.js';
import type { Capability } from '../domain/records.js';
import type { FaceProvider } from '../datasources/provider.js';
import { unsupportedOperation } from '../datasources/unsupported.js';
import type { FaceAttribute } from '../schema/face-details.enums.js';

/** Throws UNSUPPORTED_OPERATION (operation: the capability's name) unless `provider` advertises `capability`. */
export function requireCapability(provider: FaceProvider, capability: Capability): void {
  if (!provider.capabilities.has(capability)) throw unsupportedOperation(provider, capability);
}

/**
 * The attributes beyond the DEFAULT set that `requested` asks `provider`
 * for: DEFAULT adds none, ALL every one the instance advertises, a named one
 * itself if advertised (else UNSUPPORTED_OPERATION). null or [] is DEFAULT.
 */
export function requestedAttributes(
  provider: FaceProvider,
  requested: readonly FaceAttribute[] | null | undefined,
): Set<FaceAttributeName> {
  const out = new Set<FaceAttributeName>();
  for (const a of requested ?? []) {
    if (a === 'DEFAULT') continue;
    if (a === 'ALL') {
      for (const name of FACE_ATTRIBUTES) if (provider.capabilities.has(attributeCapability(name))) out.add(name);
      continue;
    }
    requireCapability(provider, attributeCapability(a));
    out.add(a);
  }
  return out;
}
