/**
 * Gathers a header block split over HEADERS and CONTINUATION frames
 * (RFC 9113 §6.10), with limits against a hostile server: the block's
 * compressed size and its number of CONTINUATION frames (a flood of empty
 * ones costs CPU without growing the block).
 * @internal
 */
import { ErrorCode, FrameError } from './frames.js';

/** Compressed bytes of one header block (HEADERS and its CONTINUATIONs) accepted. */
export const MAX_HEADER_BLOCK = 64 * 1024;
/** CONTINUATION frames in one header block: legitimate servers need a handful. */
export const MAX_CONTINUATIONS = 256;

/** @internal */
export class HeaderBlock {
  /** The stream whose block is open, or 0 when none is. */
  streamId = 0;
  /** The flags of its HEADERS frame (END_STREAM). */
  flags = 0;
  #parts: Buffer[] = [];
  #bytes = 0;
  #continuations = 0;

  /**
   * A HEADERS frame without END_HEADERS opens a block.
   * @throws {@link FrameError} when the fragment alone is over the limit.
   */
  begin(streamId: number, flags: number, fragment: Buffer): void {
    this.streamId = streamId;
    this.flags = flags;
    this.#parts = [fragment];
    this.#bytes = fragment.length;
    this.#continuations = 0;
    if (this.#bytes > MAX_HEADER_BLOCK) throw tooLarge();
  }

  /**
   * A CONTINUATION frame of the open block.
   * @returns The whole block once `last` (END_HEADERS), which closes it; else `undefined`.
   * @throws {@link FrameError} (ENHANCE_YOUR_CALM) past a limit.
   */
  add(fragment: Buffer, last: boolean): Buffer | undefined {
    this.#bytes += fragment.length;
    if (this.#bytes > MAX_HEADER_BLOCK) throw tooLarge();
    if (++this.#continuations > MAX_CONTINUATIONS) {
      throw new FrameError(`More than ${MAX_CONTINUATIONS} CONTINUATION frames in one header block`, ErrorCode.ENHANCE_YOUR_CALM);
    }
    this.#parts.push(fragment);
    if (!last) return undefined;
    const block = Buffer.concat(this.#parts, this.#bytes);
    this.streamId = 0;
    this.#parts = [];
    return block;
  }
}

function tooLarge(): FrameError {
  return new FrameError(`A header block of more than ${MAX_HEADER_BLOCK} bytes`, ErrorCode.ENHANCE_YOUR_CALM);
}
