/**
 * A JSON request body parsed from its bytes, its large strings left as
 * bytes until something reads them.
 *
 * `JSON.parse` takes a string, so the usual way costs a large body twice
 * over in V8's large-object space: the whole body as one string, then each
 * long string value (a base64 image) copied out of it. Both are garbage once
 * the request is answered, and large-object garbage waits for a major GC:
 * ten clients sending 2.8 MB bodies as fast as they are answered (an alias
 * flood refused by its cost) kept over 100 MB of it resident.
 *
 * Here each string value of at least {@link LAZY_STRING_BYTES} bytes is cut
 * out of the text before it is parsed and put back as a property that
 * decodes its bytes on first read (then holds the string as a plain value).
 * Apollo and graphql-ws read variables only when they execute, after
 * validation has priced the document: a request refused by its cost, depth
 * or aliases never turns its image into a string at all, and one that runs
 * makes that one copy, where it used to make two more.
 *
 * The result is what `JSON.parse(bytes.toString('utf8'))` gives, property
 * for property, and a body that does not parse throws the same SyntaxError:
 * a string is left as bytes only when it has no escape and no control
 * character (any other string is parsed by JSON.parse as usual), so its
 * bytes decoded as UTF-8 are its value, and putting a short string in its
 * place in the text changes nothing else about whether the text parses.
 */
import { randomUUID } from 'node:crypto';

/** String values at least this long (in bytes, quotes excluded) stay bytes until read: 64 KiB. */
export const LAZY_STRING_BYTES = 64 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** JSON's whitespace: space, tab, line feed, carriage return. */
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
/** Bytes below this are control characters, which JSON allows in a string only escaped. */
const FIRST_PRINTABLE = 0x20;

/**
 * Stands in the text for a string left as bytes; its value is the prefix
 * and the string's index. Random per process: a client cannot send one.
 */
const PLACEHOLDER_PREFIX = `facegate-lazy-string:${randomUUID()}:`;

/** Where a string left as bytes lies in the body: its first byte and the byte after its last. */
interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses the JSON of `bytes` (UTF-8) as `JSON.parse` would, leaving string
 * values of {@link LAZY_STRING_BYTES} or more as bytes until read (see the
 * module comment). Throws SyntaxError when the body is not JSON.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length < LAZY_STRING_BYTES) return JSON.parse(bytes.toString('utf8'));
  const { text, ranges } = textWithoutLargeStrings(bytes);
  if (ranges.length === 0) return JSON.parse(text);
  // Boxed, so a body that is one large string is put back like any other.
  const box: Record<string, unknown> = { body: JSON.parse(text) };
  putBackLazily(box, bytes, ranges);
  return box.body;
}

/**
 * The body's text with each large plain string replaced by a placeholder,
 * and where those strings lie. The scan hops from quote to quote (a native
 * search, not a loop over every byte): in JSON a quote outside a string
 * always opens one, and one inside closes it unless an odd run of
 * backslashes escapes it. A body that is not JSON may be cut wrongly here;
 * JSON.parse then refuses the text just as it refuses the body.
 */
function textWithoutLargeStrings(bytes: Buffer): { text: string; ranges: ByteRange[] } {
  const pieces: string[] = [];
  const ranges: ByteRange[] = [];
  let copied = 0;
  for (let open = bytes.indexOf(QUOTE); open !== -1;) {
    const close = closingQuote(bytes, open + 1);
    if (close === -1) break;
    const start = open + 1;
    if (close - start >= LAZY_STRING_BYTES && !isKey(bytes, close + 1) && isPlain(bytes.subarray(start, close))) {
      pieces.push(bytes.toString('utf8', copied, open), JSON.stringify(PLACEHOLDER_PREFIX + ranges.length));
      ranges.push({ start, end: close });
      copied = close + 1;
    }
    open = bytes.indexOf(QUOTE, close + 1);
  }
  if (ranges.length === 0) return { text: bytes.toString('utf8'), ranges };
  pieces.push(bytes.toString('utf8', copied));
  return { text: pieces.join(''), ranges };
}

/** The index of the quote closing a string whose first byte is at `from`, -1 when it never closes. */
function closingQuote(bytes: Buffer, from: number): number {
  for (let quote = bytes.indexOf(QUOTE, from); quote !== -1; quote = bytes.indexOf(QUOTE, quote + 1)) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

/** Whether the string closed just before `after` is a member's name (a colon follows): names stay in the text. */
function isKey(bytes: Buffer, after: number): boolean {
  let next = after;
  while (WHITESPACE.has(bytes[next])) next++;
  return bytes[next] === COLON;
}

/** Whether a string's bytes are its value as they stand: no escape, no control character (each a native search). */
function isPlain(content: Buffer): boolean {
  if (content.indexOf(BACKSLASH) !== -1) return false;
  for (let byte = 0; byte < FIRST_PRINTABLE; byte++) if (content.indexOf(byte) !== -1) return false;
  return true;
}

/**
 * Replaces each placeholder in the parsed value by a property that decodes
 * its bytes on first read. Walks with a stack, not recursion: a body may
 * nest deeper than the call stack goes.
 */
function putBackLazily(root: object, bytes: Buffer, ranges: ByteRange[]): void {
  let left = ranges.length;
  const stack: object[] = [root];
  while (stack.length > 0 && left > 0) {
    const holder = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      const child = holder[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
      else if (typeof child === 'string' && child.startsWith(PLACEHOLDER_PREFIX)) {
        const range = ranges[Number(child.slice(PLACEHOLDER_PREFIX.length))];
        if (range) {
          defineLazyString(holder, key, bytes, range);
          left--;
        }
      }
    }
  }
}

/** `holder[key]`: the string of `range`, decoded when first read, a plain (writable) value from then on. */
function defineLazyString(holder: Record<string, unknown>, key: string, bytes: Buffer, range: ByteRange): void {
  const settle = (value: unknown) => {
    Object.defineProperty(holder, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(holder, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      // A body is released (its buffer detached, http/body.ts) once its request is answered, when nothing reads it any more.
      if (bytes.length < range.end) throw new Error(`request body: expected its bytes until its request is answered, got them released`);
      return settle(bytes.toString('utf8', range.start, range.end));
    },
    set: settle,
  });
}
