/**
 * A file sent in a GraphQL multipart request (the GraphQL multipart request
 * spec: `operations`, `map`, then the files): read by http/multipart.ts,
 * placed in the operation's variables where its `map` entry says, taken by
 * the `Upload` scalar and read as image bytes by images/image-input.ts.
 */

/** One received file part. Its bytes are kept up to a limit; past it only its size is counted. */
export class UploadedFile {
  constructor(
    /** The part's name in the form (its key in `map`). */
    readonly fieldName: string,
    /** The file name the client gave, as sent. */
    readonly fileName: string,
    /** The part's content-type, as sent (not trusted: the decoder reads the bytes). */
    readonly mimeType: string,
    /** The bytes received, all of them unless {@link truncated}. */
    readonly bytes: Uint8Array,
    /** Bytes the part held, counted also past the limit. */
    readonly size: number,
    /** The part was longer than the limit: {@link bytes} holds only its start, and the file is refused where it is used. */
    readonly truncated: boolean,
  ) {}

  /** What logs and error details show of a file: never its bytes. */
  toJSON(): { fieldName: string; fileName: string; mimeType: string; size: number } {
    return { fieldName: this.fieldName, fileName: this.fileName, mimeType: this.mimeType, size: this.size };
  }
}
