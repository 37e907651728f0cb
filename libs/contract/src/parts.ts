/** One unloaded object, as the manifest describes it. */
export interface Part {
  key: string;
  /** The object name relative to the attempt's folder, for summaries (`0002_part_00.gz`). */
  name: string;
  bytes: number;
  rows: number;
  /** The object's ETag in the listing of the attempt's folder taken after the UNLOAD finished (absent until then). */
  etag?: string;
}

/** A part object as a listing of its attempt's folder saw it while the UNLOAD ran: complete, record count not yet known. */
export interface ListedPart {
  key: string;
  name: string;
  bytes: number;
  etag: string;
}

/**
 * The signal the unload activity sends its workflow when more parts of its attempt are
 * registered on the target (the parts themselves stay out of history): how many there are.
 */
export const PARTS_REGISTERED_SIGNAL = 'partsRegistered';

export interface PartsRegistered {
  attempt: number;
  /** Parts of the attempt registered so far, numbered 0 to `registered` - 1. */
  registered: number;
  /** The newly registered parts among those the table's own workflow loads (the first `signalEvery`), for its activity summaries. */
  named?: NamedPart[];
}

/** Registered parts `from` up to, not including, `to`, of one attempt; `names` of the first and last, for log lines. */
export interface RegisteredRun {
  attempt: number;
  from: number;
  to: number;
  names?: [string, string];
}

/** A registered part's name and size (and record count, once the manifest gives it): what an activity summary shows. */
export interface NamedPart {
  ordinal: number;
  name: string;
  bytes: number;
  rows?: number;
}

/** A part by its place in the registry: its attempt and the order it was registered in. */
export interface RegisteredPart {
  attempt: number;
  ordinal: number;
  /** Its object name, where the workflow knows it (the parts it loads itself): for log lines. */
  name?: string;
}

/** The query every ferry workflow answers with its progress. */
export const PROGRESS_QUERY = 'progress';
