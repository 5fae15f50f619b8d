import type { DeadLetter, Platform, RawEnvelope } from '../../schemas/index.js';

/**
 * What a format reader yields for each thing it finds in a file. One bad item never stops the file:
 * it becomes a dead letter, and things the pipeline has no use for (Telegram service messages,
 * empty API pages) are counted as skipped with a short reason.
 */
export type ImportEvent = { envelope: RawEnvelope } | { rejected: DeadLetter } | { skipped: string };

/** Per-run facts every reader needs to build envelopes and dead letters deterministically. */
export interface ImportContext {
  /** Registry name of the format, e.g. `twarc2`; it makes the envelope source and the dead-letter stage. */
  format: string;
  /** The file as the user named it; goes into dead-letter origins. */
  file: string;
  /**
   * Collection time when the export does not carry its own: the file's mtime, so importing
   * the same file twice yields identical envelopes.
   */
  fileCollectedAt: string;
  /** `at` of every dead letter in this run (the run's start), so one run's letters are comparable. */
  rejectedAt: string;
  /** `--platform`: the platform of 4CAT rows and the default for generic rows that name none. */
  platform?: Platform;
  /** Usernames of public Telegram chats by chat id (the export has no usernames), for t.me links. */
  telegramUsernames: ReadonlyMap<string, string>;
}

export interface ImportSource {
  /** The file's bytes in order; the runner counts them for progress. */
  chunks: AsyncIterable<Uint8Array>;
  context: ImportContext;
}

export interface ImportFormat {
  /** One line for `tagpulse import --help`. */
  summary: string;
  /** Whether `--platform` means something for this format. */
  takesPlatform: boolean;
  read(source: ImportSource): AsyncIterable<ImportEvent>;
}
