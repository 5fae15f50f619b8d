import { fourCat } from './4cat.js';
import type { ImportFormat } from './format.js';
import { genericCsv } from './generic-csv.js';
import { genericJsonl } from './generic-jsonl.js';
import { telegramDesktop } from './telegram-desktop.js';
import { twarc2 } from './twarc2.js';
import { zeeschuimer } from './zeeschuimer.js';

/**
 * Every import format, by the name `tagpulse import --format` takes. The name also makes the envelopes'
 * source (`import:<name>`) and the dead letters' stage. Adding a format: one module, one line here.
 */
export const IMPORT_FORMATS: Readonly<Record<string, ImportFormat>> = {
  'telegram-desktop': telegramDesktop,
  zeeschuimer,
  twarc2,
  '4cat': fourCat,
  'generic-jsonl': genericJsonl,
  'generic-csv': genericCsv,
};

export const IMPORT_FORMAT_NAMES: readonly string[] = Object.keys(IMPORT_FORMATS);
