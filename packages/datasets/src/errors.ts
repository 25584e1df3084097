/** Base class of the errors thrown by `@hrnet/datasets` loaders and pipeline. */
export class DatasetError extends Error {
  override readonly name: string = 'DatasetError';
}

/**
 * An annotation or detection file that does not have the expected layout. The message names the
 * file and the offending field, e.g. `test_coco.json: annotations[3] has no 'keypoints'`.
 */
export class AnnotationError extends DatasetError {
  override readonly name = 'AnnotationError';
}

/** An image that could not be read or decoded; `file` is the path or URL that failed. */
export class ImageReadError extends DatasetError {
  override readonly name = 'ImageReadError';

  /** The image path or URL that failed. */
  readonly file: string;

  constructor(file: string, reason: string, options?: ErrorOptions) {
    super(`cannot read image ${file}: ${reason}`, options);
    this.file = file;
  }
}
