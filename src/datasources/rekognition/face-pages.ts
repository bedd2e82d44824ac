/**
 * ListFaces calls as face records: one page, or every page of a query.
 */
import { ListFacesCommand, type ListFacesCommandInput } from '@aws-sdk/client-rekognition';
import type { FaceRecord } from '../../domain/records.js';
import type { CallOptions } from '../provider.js';
import type { CallContext } from './errors.js';
import { MAX_LIST_RESULTS } from './limits.js';
import { faceRecord } from './records.js';
import type { RekognitionDeps } from './rekognition-deps.js';

/** One ListFaces call: its faces and Rekognition's NextToken. */
export async function listFacesPage(
  deps: RekognitionDeps,
  ctx: CallContext,
  call: CallOptions | undefined,
  input: ListFacesCommandInput,
): Promise<{ items: FaceRecord[]; next?: string }> {
  const { calls } = deps;
  const out = await calls.run(ctx, call, (o) => calls.client.send(new ListFacesCommand(input), o));
  const collectionId = input.CollectionId as string;
  return { items: (out.Faces ?? []).map((f) => faceRecord(collectionId, f)), next: out.NextToken };
}

/** Every page of one ListFaces query, 4096 faces a call. */
export async function listAllFaces(
  deps: RekognitionDeps,
  ctx: CallContext,
  call: CallOptions | undefined,
  input: ListFacesCommandInput,
): Promise<FaceRecord[]> {
  const all: FaceRecord[] = [];
  let token: string | undefined;
  do {
    const page = await listFacesPage(deps, ctx, call, { ...input, MaxResults: MAX_LIST_RESULTS, NextToken: token });
    all.push(...page.items);
    token = page.next;
  } while (token);
  return all;
}
