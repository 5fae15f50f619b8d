import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../infra/kafka/topics.js';
import { UserFacingError } from '../../../cli/command.js';
import { NormalisedPost, TagpulseConfig } from '../../../schemas/index.js';
import { classify } from '../../../processors/abuse/classify.js';
import { canonicalTag } from '../../../processors/normalise/canonical.js';
import { TagFamilies } from '../../../processors/normalise/families.js';
import { createPseudonymiser } from '../../../processors/normalise/pseudonymise.js';
import { NormaliseProcessor } from '../../../processors/stages/normalise.js';
import { buildTopology } from '../../../processors/topology.js';
import { rawEnvelope, record, restoreInto, runBatch, TEST_PSEUDONYM_KEY } from '../../support/processors.js';

const topics = topicNames('t');
const config = TagpulseConfig.parse({ families: { metoo: { aliases: ['#янебоюсьсказать'] }, seruen: {} } });

const testPseudonymiser = createPseudonymiser(config.privacy, { [config.privacy.keyEnv]: TEST_PSEUDONYM_KEY });

function normaliseProcessor(pseudonymiser = testPseudonymiser) {
  return new NormaliseProcessor({
    topics,
    partitions: 1,
    allowedLatenessMs: config.processing.allowedLatenessMs,
    dependencies: { pseudonymiser, families: new TagFamilies(config.families), classify },
  });
}

let offset = 0;
const input = (value: unknown) => record(topics.raw, 0, offset++, value);
const posts = (outputs: { topic: string; value: string }[]) =>
  outputs.filter((o) => o.topic === topics.normalised).map((o) => NormalisedPost.parse(JSON.parse(o.value)));

describe('the normalise stage', () => {
  it('turns an envelope into a normalised post: tags from text and entities, keys, families, language, pseudonyms', () => {
    const envelope = rawEnvelope('42', {
      text: 'Мен ояндым! Бүгін @Aigerim_K және біз бірге #МенОяндым #ЯНеБоюсьСказать',
      createdAt: '2026-03-08T15:00:00+05:00',
      author: { id: '1001', handle: '@aigerim_k' },
      tags: ['seruen'],
      replyTo: { platformId: '41' },
    });
    const [post] = posts(runBatch(normaliseProcessor(), [input(envelope)]).outputs);
    const pseudonymiser = createPseudonymiser(config.privacy, { [config.privacy.keyEnv]: TEST_PSEUDONYM_KEY });
    expect(post).toMatchObject({
      id: 'mastodon:42',
      sources: ['test'],
      createdAt: '2026-03-08T10:00:00.000Z',
      tagsAsWritten: ['МенОяндым', 'ЯНеБоюсьСказать', 'seruen'],
      tags: [canonicalTag('менояндым'), canonicalTag('янебоюсьсказать'), 'seruen'],
      families: ['metoo', 'seruen'],
      lang: 'kk',
      author: { id: pseudonymiser.id('mastodon', '1001'), handle: pseudonymiser.handle('mastodon', 'aigerim_k') },
      replyTo: 'mastodon:41',
      abuse: { abusive: false },
    });
    expect(post!.text).not.toContain('Aigerim_K');
    expect(post!.text).toContain(`@${pseudonymiser.handle('mastodon', 'Aigerim_K')}`);
  });

  it('gives a comment the keys of its thread’s tag (the envelope’s query) beyond its own, and qualifies its thread like its parent', () => {
    const vk = { platform: 'vk' as const };
    const [root, untagged, tagged, ownTag, found] = posts(
      runBatch(normaliseProcessor(), [
        input(rawEnvelope('-5_9', { text: 'Мен ояндым #МенОяндым' }, { ...vk, query: 'менояндым' })),
        // Comments collected by following the post's thread carry the tag that found it as their query.
        input(rawEnvelope('-5_9_1', { text: 'Сен кімсің?', replyTo: { platformId: '-5_9' }, threadId: '-5_9' }, { ...vk, query: 'менояндым' })),
        input(rawEnvelope('-5_9_2', { text: 'Қолдаймын #Seruen', replyTo: { platformId: '-5_9_1' }, threadId: '-5_9' }, { ...vk, query: 'menoiandym' })),
        input(rawEnvelope('-5_9_3', { text: 'Мен де #мен_ояндым', replyTo: { platformId: '-5_9' }, threadId: '-5_9' }, { ...vk, query: 'менояндым' })),
        // A reply found by its own tag, on a platform whose root posts are their own thread.
        input(rawEnvelope('at://p/1', { text: '#metoo', threadId: 'at://p/1' }, { platform: 'bluesky', query: 'metoo' })),
      ]).outputs,
    );
    const key = canonicalTag('менояндым');
    // The wall owner (-5) in a VK id is an account: its pseudonym stands in for it.
    const wall = `vk:${testPseudonymiser.id('vk', '-5')}`;
    expect(root).toMatchObject({ id: `${wall}_9`, tags: [key], families: [] });
    expect(root!.threadTags).toBeUndefined();
    expect(untagged).toMatchObject({ tags: [], families: [], threadTags: [key], replyTo: `${wall}_9`, threadId: `${wall}_9` });
    expect(tagged).toMatchObject({ tags: ['seruen'], families: ['seruen'], threadTags: [key], replyTo: `${wall}_9_1`, threadId: `${wall}_9` });
    expect(ownTag).toMatchObject({ tags: [key] });
    expect(ownTag!.threadTags).toBeUndefined();
    expect(found).toMatchObject({ tags: ['metoo'], threadId: 'bluesky:at://p/1' });
    expect(found!.threadTags).toBeUndefined();
  });

  it('pseudonymises the account that post ids and links name, and keeps only links that name none', () => {
    const envelopes = [
      rawEnvelope('Seruen_KZ/50', { url: 'https://t.me/Seruen_KZ/50', author: { id: 'seruen_kz', handle: 'Seruen_KZ' } }, { platform: 'telegram' }),
      rawEnvelope('at://did:plc:abc/app.bsky.feed.post/3k', { url: 'https://bsky.app/profile/dana.bsky.social/post/3k', author: { id: 'did:plc:abc' } }, { platform: 'bluesky' }),
      rawEnvelope('https://kz.example/users/Dana/statuses/9', { url: 'https://kz.example/@Dana/9' }, { platform: 'mastodon' }),
      rawEnvelope('-77_5', { url: 'https://vk.com/wall-77_5', author: { id: '-77' } }, { platform: 'vk' }),
      rawEnvelope('1234567890', { url: 'https://x.com/aigerim_k/status/1234567890' }, { platform: 'x' }),
      rawEnvelope('dQw4w9WgXcQ', { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, { platform: 'youtube' }),
      rawEnvelope('C3x', { url: 'https://www.instagram.com/p/C3x/' }, { platform: 'instagram' }),
      rawEnvelope('7301', { url: 'https://www.tiktok.com/@aigerim_k/video/7301' }, { platform: 'tiktok' }),
    ].map(input);
    const [telegram, bluesky, mastodon, vk, x, youtube, instagram, tiktok] = posts(runBatch(normaliseProcessor(), envelopes).outputs);
    const account = (platform: Parameters<typeof testPseudonymiser.id>[0], id: string) => testPseudonymiser.id(platform, id);
    expect(telegram).toMatchObject({ id: `telegram:${account('telegram', 'seruen_kz')}/50`, platformId: `${account('telegram', 'seruen_kz')}/50` });
    expect(telegram!.author.id).toBe(account('telegram', 'seruen_kz')); // the id's pseudonym is the author's
    expect(bluesky).toMatchObject({ id: `bluesky:at://${account('bluesky', 'did:plc:abc')}/app.bsky.feed.post/3k` });
    expect(mastodon).toMatchObject({ id: `mastodon:https://kz.example/users/${account('mastodon', 'dana@kz.example')}/statuses/9` });
    expect(vk).toMatchObject({ id: `vk:${account('vk', '-77')}_5` });
    expect(x).toMatchObject({ id: 'x:1234567890', url: 'https://x.com/i/web/status/1234567890' });
    expect(youtube).toMatchObject({ id: 'youtube:dQw4w9WgXcQ', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' });
    expect(instagram).toMatchObject({ url: 'https://www.instagram.com/p/C3x/' });
    expect(tiktok).toMatchObject({ id: 'tiktok:7301' });
    for (const post of [telegram, bluesky, mastodon, vk, tiktok]) expect(post!.url, post!.id).toBeUndefined();
    const stored = JSON.stringify([telegram, bluesky, mastodon, vk, x, tiktok]);
    for (const clear of ['seruen_kz', 'Seruen_KZ', 'did:plc:abc', 'dana', 'Dana', '-77', 'aigerim_k']) expect(stored).not.toContain(clear);

    const optedOut = createPseudonymiser({ ...config.privacy, pseudonymise: false });
    const [clearTelegram] = posts(runBatch(normaliseProcessor(optedOut), [envelopes[0]!]).outputs);
    expect(clearTelegram).toMatchObject({ id: 'telegram:Seruen_KZ/50', url: 'https://t.me/Seruen_KZ/50' });
  });

  it('keeps the first copy’s times and collects every source; every copy is published', () => {
    const processor = normaliseProcessor();
    const first = rawEnvelope('7', { text: '#seruen', createdAt: '2026-03-08T10:00:00Z' }, { source: 'mastodon:a', collectedAt: '2026-03-08T10:05:00Z' });
    const second = rawEnvelope('7', { text: '#seruen #metoo', createdAt: '2026-03-08T10:00:01Z' }, { source: 'import:b', collectedAt: '2026-03-08T11:00:00Z' });
    const out = posts(runBatch(processor, [input(first), input(second), input(first)]).outputs);
    expect(out.map((p) => p.sources)).toEqual([['mastodon:a'], ['import:b', 'mastodon:a'], ['import:b', 'mastodon:a']]);
    expect(out[1]).toMatchObject({ createdAt: '2026-03-08T10:00:00.000Z', collectedAt: '2026-03-08T10:05:00.000Z', tags: ['seruen', 'metoo'] });
    expect(processor.takeCounts()).toEqual({ messages: 3, posts: 3, repeatedCopies: 2, deadLetters: 0 });
  });

  it('remembers sources across a restart from its changelog', () => {
    const processor = normaliseProcessor();
    const { changelog } = runBatch(processor, [input(rawEnvelope('7', { text: '#seruen' }, { source: 'a' }))]);
    const restarted = normaliseProcessor();
    restoreInto(restarted, changelog);
    const [post] = posts(runBatch(restarted, [input(rawEnvelope('7', { text: '#seruen' }, { source: 'b' }))]).outputs);
    expect(post!.sources).toEqual(['a', 'b']);
  });

  it('sends what is not JSON, not UTF-8 or not a raw envelope to the dead-letter topic, with its origin, and goes on', () => {
    const processor = normaliseProcessor();
    const { outputs } = runBatch(processor, [
      input('{not json'),
      input(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      input({ schema: 'tagpulse.raw/1', platform: 'myspace' }),
      input(rawEnvelope('1', { text: '#seruen' })),
    ]);
    const letters = outputs.filter((o) => o.topic === topics.deadLetter);
    expect(letters.map((l) => l.key)).toEqual(['normalise', 'normalise', 'normalise']);
    expect(letters.map((l) => JSON.parse(l.value))).toEqual([
      expect.objectContaining({ reason: 'json', raw: '{not json', rawEncoding: 'utf8', origin: { topic: topics.raw, partition: 0, offset: expect.any(String) } }),
      expect.objectContaining({ reason: 'encoding', raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), rawEncoding: 'base64' }),
      expect.objectContaining({ reason: 'schema', raw: { schema: 'tagpulse.raw/1', platform: 'myspace' }, rawEncoding: 'json', detail: expect.stringContaining('platform') }),
    ]);
    expect(posts(outputs)).toHaveLength(1);
  });

  it('refuses to be built without the pseudonymisation key, unless the deployment opted out', () => {
    expect(() => buildTopology(config, ['normalise'], {})).toThrow(UserFacingError);
    expect(() => buildTopology(config, ['metrics', 'sink'], {})).not.toThrow();
    const optedOut = TagpulseConfig.parse({ privacy: { pseudonymise: false } });
    expect(buildTopology(optedOut, ['normalise'], {}).streams.map((s) => s.name)).toEqual(['normalise']);
  });
});
