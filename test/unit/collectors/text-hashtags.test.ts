import { describe, expect, it } from 'vitest';
import { textHashtags, trackedAmong } from '../../../ingest/framework/hashtags.js';

describe('hashtags written in plain text', () => {
  it('finds Cyrillic, Kazakh and Latin tags, full-width ＃, and VK’s community suffix', () => {
    expect(textHashtags('Шеруге шығамыз! #МенОяндым #qazaqkoktemi ＃Серуен #теңдік_үшін #seruen@feminita_kz')).toEqual([
      'МенОяндым',
      'qazaqkoktemi',
      'Серуен',
      'теңдік_үшін',
      'seruen',
    ]);
  });

  it('ignores URL anchors, HTML entities and words with # inside', () => {
    expect(textHashtags('https://example.kz/page#anchor &#1234; C#sharp a#b')).toEqual([]);
  });

  it('keeps each spelling once and matches collected tags case-insensitively', () => {
    const tags = textHashtags('#MeToo #metoo #MeToo #seruen');
    expect(tags).toEqual(['MeToo', 'metoo', 'seruen']);
    expect(trackedAmong(tags, ['seruen', 'metoo', 'менояндым'])).toEqual(['seruen', 'metoo']);
  });
});
