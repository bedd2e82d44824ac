import { Field, ObjectType } from 'type-graphql';
import type { ProviderInfo } from '../domain/records.js';
import { ProviderKind } from './enums.js';
import { defineGlobalId } from '../domain/global-id.js';
import { Node } from './node.interface.js';

/** A configured provider instance, e.g. `local`, `aws-eu`, `azure-prod`. */
@ObjectType({ implements: Node, simpleResolvers: true })
export class Provider extends Node {
  @Field()
  name!: string;

  @Field(() => ProviderKind)
  kind!: ProviderKind;

  @Field(() => [String], { description: 'Operation names this instance supports natively or faithfully, e.g. DISASSOCIATE_FACES.' })
  capabilities!: string[];

  /** The view of instance `p`, made once: an instance's name, kind and capabilities never change. */
  static from(p: ProviderInfo): Provider {
    let view = views.get(p);
    if (!view) {
      view = Object.assign(new Provider(), { name: p.name, kind: p.kind, capabilities: [...p.capabilities] });
      views.set(p, view);
    }
    return view;
  }
}

const views = new WeakMap<ProviderInfo, Provider>();

defineGlobalId(Provider, 'Provider', (p) => [p.name]);
