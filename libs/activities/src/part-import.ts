/** How one part got into staging, as the import (COPY or aws_s3) saw it; runs inside the part's transaction. */
export interface PartImport {
  rows: number;
  /** The object's size as read. */
  bytes: number;
  etag: string;
  markedEtag?: string;
}
