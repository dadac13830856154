/** A small rendition of an image for the client to show inline. */
export interface ImagePreview {
  bytes: Uint8Array<ArrayBuffer>;
  /** webp */
  type: string;
  width: number;
  height: number;
}

/** Renders image previews. Optional in practice: without one, the original is served as its own preview. */
export interface ImagePreviewer {
  /** A preview fitting `box` x `box`, or null when the image cannot be decoded (or is too large to). */
  preview(image: ReadableStream<Uint8Array>, box: number): Promise<ImagePreview | null>;
}
