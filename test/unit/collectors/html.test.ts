import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../ingest/framework/html.js';

describe('htmlToText', () => {
  it('keeps paragraphs and line breaks, decodes entities, strips tags', () => {
    const html =
      '<p>Біз <strong>бірге</strong> &amp; тең!<br>Шеруге келіңіз&nbsp;😊</p><p><a href="https://x.example/tags/seruen" class="mention hashtag" rel="tag">#<span>seruen</span></a> &lt;3 &#1178;аз&#x430;&quot;</p>';
    expect(htmlToText(html)).toBe('Біз бірге & тең!\nШеруге келіңіз\u00a0😊\n\n#seruen <3 Қаза"');
  });

  it('joins the visible and invisible parts of a shortened link into the whole URL', () => {
    const html =
      '<p>Read <a href="https://news.example/very/long/path"><span class="invisible">https://</span><span class="ellipsis">news.example/very/lo</span><span class="invisible">ng/path</span></a></p>';
    expect(htmlToText(html)).toBe('Read https://news.example/very/long/path');
  });

  it('collapses source whitespace as a browser would, and drops scripts', () => {
    expect(htmlToText('\n  <div>one\n   two</div>\n<div>three</div><script>alert(1)</script>  ')).toBe('one two\nthree');
  });
});
