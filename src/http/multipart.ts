/**
 * The GraphQL multipart request spec (what `apollo-upload-client` and
 * `curl -F` send): a multipart/form-data POST whose first field,
 * `operations`, is the JSON body with null where files go, whose second,
 * `map`, names for each file part the paths it fills
 * (`{"0": ["variables.input.image.upload"]}`), followed by the files.
 *
 * The whole body is read before anything runs, as a JSON body is, so a
 * refused request changes nothing: each file's bytes are kept up to the
 * image limit (past it only counted, and the file refused where it is used,
 * like base64 that is too long), the body up to `maxBodyBytes` (413 past
 * it, like JSON). A request that breaks the spec is a {@link MultipartRefusal}
 * (400). Multipart/form-data is a content type a page may send cross-site
 * without a preflight, so {@link lacksPreflight} refuses it without one of
 * the headers Apollo's CSRF prevention asks for, before the body is read.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { UploadedFile } from '../domain/uploaded-file.js';
import { BodyTooLarge, MAX_DRAIN_BYTES } from './body.js';

/** A multipart body that breaks the GraphQL multipart request spec: answered 400, BAD_REQUEST. */
export class MultipartRefusal extends Error {}

/** Headers that make a browser send a preflight first (Apollo's `csrfPreventionRequestHeaders`). */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name'] as const;

/** How much a multipart body may hold. */
export interface MultipartLimits {
  /** Largest body, in bytes; a longer one is {@link BodyTooLarge}. */
  maxBodyBytes: number;
  /** Bytes kept of one file; a longer file is kept as its size alone (UploadedFile.truncated). */
  maxFileBytes: number;
  /** Most file parts. */
  maxFiles: number;
}

/** Whether a request's content-type is multipart/form-data. */
export function isMultipart(headers: IncomingHttpHeaders): boolean {
  return /^multipart\/form-data\s*(;|$)/i.test(headers['content-type'] ?? '');
}

/** The refusal of a multipart request that brings none of the preflight headers; undefined when it brings one. */
export function lacksPreflight(headers: IncomingHttpHeaders): string | undefined {
  if (PREFLIGHT_HEADERS.some((h) => String(headers[h] ?? '').length > 0)) return undefined;
  return (
    'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF): a multipart/form-data request ' +
    'needs a non-empty Apollo-Require-Preflight (or X-Apollo-Operation-Name) header, got neither'
  );
}

/**
 * Reads a multipart GraphQL request: its `operations` with each file put
 * where `map` says. Rejects with {@link BodyTooLarge} past
 * `limits.maxBodyBytes`, with {@link MultipartRefusal} when the parts break
 * the spec; either only once the body has been read (up to MAX_DRAIN_BYTES),
 * so the client reads the answer.
 */
export function readMultipartBody(req: IncomingMessage, limits: MultipartLimits): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => new BodyTooLarge(`request body: expected at most ${limits.maxBodyBytes} bytes, got ${declared || size}`);
    let size = 0;
    let refusal: Error | undefined;
    const refuse = (message: string) => void (refusal ??= new MultipartRefusal(message));
    if (declared > MAX_DRAIN_BYTES) {
      reject(tooLarge());
      return void req.destroy();
    }
    let parser;
    try {
      parser = Busboy({
        headers: req.headers as IncomingHttpHeaders & { 'content-type': string },
        limits: { fields: 2, fieldSize: limits.maxBodyBytes, files: limits.maxFiles, parts: limits.maxFiles + 2 },
      });
    } catch {
      req.resume();
      return reject(new MultipartRefusal('multipart body: expected a content-type multipart/form-data with a boundary, got none'));
    }
    const parts = new MultipartParts(limits, refuse);
    let abandoned = false;
    const abandon = () => {
      abandoned = true;
      req.unpipe(parser);
      req.resume();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.destroy();
      else if (size > limits.maxBodyBytes && !abandoned) abandon();
    });
    req.on('end', () => abandoned && reject(size > limits.maxBodyBytes ? tooLarge() : refusal));
    req.on('error', reject);
    req.on(
      'close',
      () => !req.complete && reject(size > limits.maxBodyBytes ? tooLarge() : new Error('request body: the client went away')),
    );
    parser.on('field', (name, value, _nameTruncated, valueTruncated) => parts.field(name, value, valueTruncated));
    parser.on('file', (name, stream, fileName, _encoding, mimeType) => parts.file(name, stream, fileName, mimeType));
    parser.on('fieldsLimit', () => refuse('multipart body: expected two fields (operations and map) before the files, got more'));
    parser.on('filesLimit', () => refuse(`multipart body: expected at most ${limits.maxFiles} files, got more`));
    parser.on('partsLimit', () => refuse(`multipart body: expected at most ${limits.maxFiles + 2} parts, got more`));
    parser.on('error', () => {
      refuse('multipart body: expected multipart/form-data parts, got a body that does not parse');
      // Busboy finds a body without its boundary only at the end, once the request has ended: answer now.
      if (req.complete) reject(refusal);
      else abandon();
    });
    parser.on('finish', () => {
      if (abandoned) return;
      parts.done().then((operations) => (refusal ? reject(refusal) : resolve(operations)), reject);
    });
    req.pipe(parser);
  });
}

/** The parts of one request as they come: operations, map, then the files, checked against each other. */
class MultipartParts {
  private operations: unknown;
  private map: Map<string, string[]> | undefined;
  private readonly files = new Map<string, Promise<UploadedFile>>();
  private refused = false;

  constructor(
    private readonly limits: MultipartLimits,
    private readonly onRefusal: (message: string) => void,
  ) {}

  private refuse(message: string): void {
    this.refused = true;
    this.onRefusal(message);
  }

  field(name: string, value: string, truncated: boolean): void {
    if (truncated) return this.refuse(`${name}: expected at most ${this.limits.maxBodyBytes} bytes, got more`);
    if (name === 'operations' && this.operations === undefined) {
      this.operations = parseJson(value);
      if (typeof this.operations !== 'object' || this.operations === null)
        this.refuse('operations: expected a JSON object or list, got other text');
    } else if (name === 'map' && this.operations !== undefined && this.map === undefined) {
      this.map = this.mapOf(parseJson(value));
    } else {
      const got = this.operations === undefined ? 'it first' : this.map === undefined ? 'it after operations' : 'it after map';
      this.refuse(`multipart field '${name}': expected operations, then map, then the files, got ${got}`);
    }
  }

  file(name: string, stream: BusboyFileStream, fileName: string, mimeType: string): void {
    const problem = !this.map
      ? 'expected operations and map before the files, got a file first'
      : !this.map.has(name)
        ? `expected a key of map (${[...this.map.keys()].join(', ') || 'none'}), got a part map does not name`
        : this.files.has(name)
          ? 'expected each file once, got it twice'
          : undefined;
    if (problem) {
      this.refuse(`file part '${name}': ${problem}`);
      return void stream.resume();
    }
    const max = this.limits.maxFileBytes;
    this.files.set(
      name,
      new Promise((resolve, reject) => {
        let chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Past the limit the bytes are only counted: the file is refused where it is used, with its size.
          if (size > max) chunks = [];
          else chunks.push(chunk);
        });
        stream.on('error', reject);
        stream.on('end', () =>
          resolve(new UploadedFile(name, fileName, mimeType, size > max ? new Uint8Array(0) : Buffer.concat(chunks), size, size > max)),
        );
      }),
    );
  }

  /** The operations with every file in place, once every part has been read. */
  async done(): Promise<unknown> {
    if (this.operations === undefined || !this.map) {
      this.refuse(`multipart body: expected the fields operations and map, got ${this.operations === undefined ? 'neither' : 'no map'}`);
      return undefined;
    }
    for (const [key, paths] of this.map) {
      const file = this.files.get(key);
      if (!file) {
        this.refuse(`map: expected a file part '${key}', got none`);
        continue;
      }
      const uploaded = await file;
      if (!this.refused) for (const path of paths) placeAt(this.operations, path, uploaded);
    }
    return this.operations;
  }

  /** `map` checked: an object of non-empty path lists, each path a null in operations' variables, named once. */
  private mapOf(value: unknown): Map<string, string[]> {
    const map = new Map<string, string[]>();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.refuse('map: expected a JSON object of file part names to lists of paths, got other text');
      return map;
    }
    const seen = new Map<string, string>();
    for (const [key, paths] of Object.entries(value)) {
      if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
        this.refuse(
          `map['${key}']: expected a non-empty list of paths such as "variables.input.image.upload", got ${JSON.stringify(paths)}`,
        );
        continue;
      }
      for (const path of paths as string[]) {
        const problem = nullSlotProblem(this.operations, path);
        if (problem) this.refuse(`map['${key}']: expected ${path} to be a null under variables in operations, got ${problem}`);
        else if (seen.has(path)) this.refuse(`map: expected one file for ${path}, got files '${seen.get(path)}' and '${key}'`);
        seen.set(path, key);
      }
      map.set(key, paths as string[]);
    }
    if (map.size > this.limits.maxFiles) this.refuse(`map: expected at most ${this.limits.maxFiles} files, got ${map.size}`);
    return map;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Why `path` is not a place for a file in `operations` (undefined when it is): it must lead through `variables` to a null. */
function nullSlotProblem(operations: unknown, path: string): string | undefined {
  const keys = path.split('.');
  const variablesAt = Array.isArray(operations) ? 1 : 0;
  if (keys[variablesAt] !== 'variables' || keys.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) {
    return 'a path outside variables';
  }
  let at: unknown = operations;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return 'no such path';
    at = (at as Record<string, unknown>)[key];
  }
  return at === null ? undefined : 'a value';
}

/** Puts `file` at `path` (checked by {@link nullSlotProblem}). */
function placeAt(operations: unknown, path: string, file: UploadedFile): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let at = operations as Record<string, unknown>;
  for (const key of keys) at = at[key] as Record<string, unknown>;
  at[last] = file;
}
