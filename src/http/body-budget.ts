/**
 * How many bytes of large request bodies the gateway holds at once.
 *
 * A body is read whole, parsed, and kept (its variables: base64 images)
 * until its operation is answered: about its size in memory (its bytes, the
 * large strings in them decoded only when read: http/json-body.ts). Ten
 * clients each sending an 8 MiB body as soon as the last is answered keep
 * hundreds of MB alive, and the garbage collector behind, whatever the cost
 * rules then say of the document. So a large body waits, unread, until the
 * bodies already admitted leave room (first come, first served); its
 * socket's flow control then holds the client back. Small bodies, nearly
 * every request, are not counted: they cannot add up to much, and counting
 * them would cost every request.
 */
import type { IncomingMessage } from 'node:http';

/** Bodies up to this size (by content-length) pass without being counted. */
const SMALL_BODY_BYTES = 64 * 1024;

/** Gives the admitted bytes back; call once, when the request is answered. */
export type Release = () => void;

const nothingToRelease: Release = () => undefined;

export class BodyBudget {
  private used = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  /** @param limitBytes Large-body bytes held at once; one body larger than this is admitted alone. */
  constructor(private readonly limitBytes: number) {}

  /**
   * Admits `req`'s body: at once (synchronously) when it is small or fits,
   * otherwise once enough admitted bodies have been released. A body of
   * unknown length counts as `maxBodyBytes`, the most it may be.
   */
  admit(req: IncomingMessage, maxBodyBytes: number): Release | Promise<Release> {
    const declared = req.headers['content-length'];
    const bytes = Math.min(declared === undefined ? maxBodyBytes : Number(declared) || 0, maxBodyBytes);
    if (req.method !== 'POST' || bytes <= SMALL_BODY_BYTES) return nothingToRelease;
    if (this.waiting.length === 0 && this.fits(bytes)) return this.take(bytes);
    return new Promise((resolve) => this.waiting.push({ bytes, admit: () => resolve(this.take(bytes)) }));
  }

  /** Bytes of large bodies admitted and not yet released. */
  get inFlight(): number {
    return this.used;
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limitBytes;
  }

  private take(bytes: number): Release {
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      // Admit waiting bodies in order while they fit: a large one first in line is not overtaken by smaller ones.
      while (this.waiting.length > 0 && this.fits(this.waiting[0].bytes)) this.waiting.shift()!.admit();
    };
  }
}
