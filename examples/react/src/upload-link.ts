/**
 * A terminating Apollo link for operations whose variables hold a file
 * (a Blob or File): it sends them by the GraphQL multipart request spec
 * (`operations`, `map`, then one part per file), which the gateway reads as
 * `ImageInput.upload`. apollo-upload-client does the same but needs Node 22;
 * this is the part of it the example needs.
 *
 * The `Apollo-Require-Preflight` header is what lets the gateway accept a
 * multipart POST: a plain HTML form cannot set it, so another site cannot
 * make a visitor's browser upload (Apollo's CSRF prevention).
 */
import { ApolloLink } from '@apollo/client';
import { parseAndCheckHttpResponse } from '@apollo/client/link/http';
import { print } from 'graphql';
import { Observable } from 'rxjs';

/** Whether `value` holds a Blob anywhere (the split condition in front of this link). */
export function hasFiles(value: unknown): boolean {
  if (value instanceof Blob) return true;
  if (Array.isArray(value)) return value.some(hasFiles);
  if (value && typeof value === 'object') return Object.values(value).some(hasFiles);
  return false;
}

/** `value` with every Blob replaced by null, and each Blob's path (`variables.image.upload`). */
function extractFiles(value: unknown, path: string, files: Map<Blob, string[]>): unknown {
  if (value instanceof Blob) {
    files.set(value, [...(files.get(value) ?? []), path]);
    return null;
  }
  if (Array.isArray(value)) return value.map((v, i) => extractFiles(v, `${path}.${i}`, files));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, extractFiles(v, `${path}.${k}`, files)]));
  return value;
}

/** The multipart body of one operation: the spec's `operations` and `map` fields, then the files as `0`, `1`, … */
export function multipartBody(query: string, operationName: string | undefined, variables: Record<string, unknown>): FormData {
  const files = new Map<Blob, string[]>();
  const operations = { query, operationName, variables: extractFiles(variables, 'variables', files) };
  const form = new FormData();
  form.append('operations', JSON.stringify(operations));
  const entries = [...files];
  form.append('map', JSON.stringify(Object.fromEntries(entries.map(([, paths], i) => [String(i), paths]))));
  entries.forEach(([file], i) => form.append(String(i), file, file instanceof File ? file.name : `upload-${i}`));
  return form;
}

/** POSTs the operation as multipart to `uri`, with the headers earlier links put in the context (the API key). */
export function createUploadLink(uri: string): ApolloLink {
  return new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        const controller = new AbortController();
        const { headers = {} } = operation.getContext() as { headers?: Record<string, string> };
        const body = multipartBody(print(operation.query), operation.operationName, operation.variables);
        fetch(uri, {
          method: 'POST',
          // No content-type: fetch writes multipart/form-data with the boundary.
          headers: { ...headers, 'apollo-require-preflight': 'true', accept: 'application/graphql-response+json, application/json' },
          body,
          signal: controller.signal,
        })
          .then(parseAndCheckHttpResponse(operation))
          .then((result) => {
            observer.next(result);
            observer.complete();
          })
          .catch((error: unknown) => {
            if (!controller.signal.aborted) observer.error(error);
          });
        return () => controller.abort();
      }),
  );
}
