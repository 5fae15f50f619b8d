import type { SourceConfig } from '../../../schemas/index.js';
import { textHashtags, trackedAmong } from '../../framework/hashtags.js';
import { normaliseTags, PageBuilder, SourceSetupError, type ItemParts, type PollingSource, type SourceContext } from '../../framework/source.js';
import { tagSourceWithReplies, ThreadClosedError, ThreadFollower, type RepliesFetcher, type TagOrRepliesCursor } from '../../framework/threads.js';
import { newestFirst, type TimelineRequest } from '../../framework/timeline.js';
import { VK_ERROR, VkApi, VkApiError } from './api.js';
import { NewsfeedSearchResponse, VkComment, VkGroup, VkPost, VkPostCounts, VkProfile, WallCommentsResponse, WallGetByIdResponse } from './schema.js';

export type VkConfig = Extract<SourceConfig, { type: 'vk' }>;

export const DEFAULT_VK_API = 'https://api.vk.com';
const DAY_MS = 86_400_000;
/** newsfeed.search's maximum page size. */
const SEARCH_PAGE = 200;
/** wall.getComments' maximum page size, and how many replies of each comment's thread come inside it. */
const COMMENTS_PAGE = 100;
const THREAD_ITEMS = 10;
/** Posts per wall.getById call. */
const COUNTS_BATCH = 100;
/** Errors that mean a post's comments can no longer be read: the post was deleted, made private, or its comments closed. */
const CLOSED = new Set<number>([VK_ERROR.accessDenied, VK_ERROR.userDeletedOrBanned, VK_ERROR.privateProfile, VK_ERROR.commentsAccessDenied, 100]);

/**
 * VK `newsfeed.search` for `#tag` (one query per tag), and the comments (`wall.getComments`) of every post it
 * finds, followed for `followRepliesDays` after the post (the `@replies` query).
 *
 * Paging: newest first with `next_from`; every request sets `start_time` (without it VK searches only the last
 * 24 hours): the previous run's newest post time, or `backfillDays` back on the first run; pages after the first
 * pin `end_time` to the run's newest post so new posts do not shift `next_from`. The result set ends (no
 * `next_from`) at `start_time`, which is inclusive: a boundary post comes again under its one key.
 *
 * Errors come in the body of a 200 (`api.ts`): 6 (per second) is waited out, 9 (flood control) and 29 (a
 * method's daily limit) end the run where it stands, 5 (token refused) stops the source.
 */
export function createVkSource(config: VkConfig, context: SourceContext): PollingSource<TagOrRepliesCursor> {
  const token = context.env[config.tokenEnv];
  if (!token) throw new SourceSetupError(`source ${config.name}: set ${config.tokenEnv} to a VK access token (a service token of your VK app will do)`);
  const tracked = normaliseTags(context.tags);
  const api = new VkApi({ baseUrl: new URL(config.baseUrl ?? DEFAULT_VK_API), token, tokenEnv: config.tokenEnv, http: context.http, clock: context.clock, log: context.log });
  const follower = new ThreadFollower({ followForMs: config.followRepliesDays * DAY_MS, clock: context.clock, log: context.log });
  const newPage = () => new PageBuilder({ sourceName: config.name, platform: 'vk', clock: context.clock });

  const fetchTag = newestFirst(async ({ query: tag, highWater, next, top, signal }: TimelineRequest) => {
    const startTime = highWater ?? String(Math.floor((context.clock.now() - config.backfillDays * DAY_MS) / 1000));
    const params: Record<string, string> = { q: `#${tag}`, extended: '1', count: String(SEARCH_PAGE), start_time: startTime, fields: 'screen_name' };
    if (next) params.start_from = next;
    if (next && top) params.end_time = String(Number(top) + 1);
    const response = await api.call('newsfeed.search', params, NewsfeedSearchResponse, signal);
    const handles = screenNames(response.profiles, response.groups);
    const page = newPage();
    let newest: number | undefined;
    response.items.forEach((raw, index) =>
      page.add(raw, VkPost, (post) => {
        newest = Math.max(newest ?? 0, post.date);
        const ours = trackedAmong(textHashtags(post.text), tracked);
        // VK's search also matches word forms and tags that only contain the word: only tagged posts are kept.
        if (ours.length === 0) return undefined;
        const query = ours.includes(tag) ? tag : ours[0]!;
        const parts = postParts(post, handles, query);
        follower.follow(parts.platformId, parts.item.createdAt, query);
        return parts;
      }, { method: 'newsfeed.search', tag, index, start_from: next ?? '' }),
    );
    return { page, newest: newest === undefined ? undefined : String(newest), older: response.items.length > 0 ? response.next_from || undefined : undefined };
  });

  const replies: RepliesFetcher = {
    async replyCounts(threads, signal) {
      const counts = new Map<string, number>();
      for (let i = 0; i < threads.length; i += COUNTS_BATCH) {
        const response = await api.call('wall.getById', { posts: threads.slice(i, i + COUNTS_BATCH).join(',') }, WallGetByIdResponse, signal);
        for (const item of response.items) {
          const post = VkPostCounts.safeParse(item);
          if (post.success) counts.set(`${post.data.owner_id}_${post.data.id}`, post.data.comments?.count ?? 0);
        }
      }
      return counts;
    },
    async fetchReplies({ threads: [thread], since, next, signal }) {
      const [ownerId, postId] = thread!.split('_') as [string, string];
      const offset = Number(next ?? 0);
      // preview_length 0: VK cuts comment texts to 90 characters by default, and a tag late in a comment with them.
      let response;
      try {
        response = await api.call(
          'wall.getComments',
          { owner_id: ownerId, post_id: postId, sort: 'desc', count: String(COMMENTS_PAGE), offset: String(offset), need_likes: '1', extended: '1', fields: 'screen_name', thread_items_count: String(THREAD_ITEMS), preview_length: '0' },
          WallCommentsResponse,
          signal,
        );
      } catch (error) {
        if (error instanceof VkApiError && CLOSED.has(error.code)) throw new ThreadClosedError(error.message);
        throw error;
      }
      const handles = screenNames(response.profiles, response.groups);
      const mark = since === undefined ? 0 : Number(since);
      const tag = follower.get(thread!)?.tag;
      const page = newPage();
      let newest: number | undefined;
      let oldest: number | undefined;
      const addComment = (raw: unknown, origin: Record<string, string | number>) =>
        page.add(raw, VkComment, (comment) => {
          newest = Math.max(newest ?? 0, comment.id);
          if ('deleted' in comment) return undefined;
          // A reply newer than the mark may sit under a comment older than it: each is judged on its own id.
          for (const reply of comment.thread?.items ?? []) addComment(reply, { ...origin, parent: comment.id });
          return comment.id <= mark ? undefined : commentParts(ownerId, postId, comment, handles, tag);
        }, origin);
      response.items.forEach((raw, index) => {
        const id = (raw as { id?: unknown } | null)?.id;
        if (typeof id === 'number') oldest = Math.min(oldest ?? id, id);
        addComment(raw, { method: 'wall.getComments', post: thread!, offset, index });
      });
      const more = response.items.length === COMMENTS_PAGE && oldest !== undefined && oldest > mark;
      return { page, newest: newest === undefined ? undefined : String(newest), older: more ? String(offset + response.items.length) : undefined };
    },
  };

  return tagSourceWithReplies({ name: config.name, platform: 'vk', tags: tracked, fetchTag, follower, replies });
}

/** Screen names of the authors an extended answer lists: users by id, communities by negative id. */
function screenNames(profiles: readonly unknown[], groups: readonly unknown[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const raw of profiles) {
    const profile = VkProfile.safeParse(raw);
    if (profile.success && profile.data.screen_name) names.set(profile.data.id, profile.data.screen_name);
  }
  for (const raw of groups) {
    const group = VkGroup.safeParse(raw);
    if (group.success && group.data.screen_name) names.set(-Math.abs(group.data.id), group.data.screen_name);
  }
  return names;
}

const isoFromUnix = (seconds: number) => new Date(seconds * 1000).toISOString();

function postParts(post: VkPost, handles: Map<number, string>, query: string): ItemParts & { item: { createdAt: string } } {
  const platformId = `${post.owner_id}_${post.id}`;
  return {
    platformId,
    query,
    item: {
      text: post.text,
      createdAt: isoFromUnix(post.date),
      author: { id: String(post.from_id), handle: handles.get(post.from_id) },
      tags: textHashtags(post.text),
      url: `https://vk.com/wall${platformId}`,
      engagement: { likes: post.likes?.count, shares: post.reposts?.count, replies: post.comments?.count, views: post.views?.count },
    },
  };
}

/**
 * A comment keyed `<owner>_<post>_<comment id>` (comment ids are unique on a wall); it answers the post, or,
 * in a comment's thread, the comment it replies to; its thread is the post.
 */
function commentParts(ownerId: string, postId: string, comment: Extract<VkComment, { text: string }>, handles: Map<number, string>, tag: string | undefined): ItemParts {
  const post = `${ownerId}_${postId}`;
  const parent = comment.reply_to_comment ?? comment.parents_stack.at(-1);
  return {
    platformId: `${post}_${comment.id}`,
    query: tag,
    item: {
      text: comment.text,
      createdAt: isoFromUnix(comment.date),
      author: { id: String(comment.from_id), handle: handles.get(comment.from_id) },
      tags: textHashtags(comment.text),
      url: `https://vk.com/wall${post}?reply=${comment.id}${parent === undefined ? '' : `&thread=${comment.parents_stack[0] ?? parent}`}`,
      replyTo: { platformId: parent === undefined ? post : `${post}_${parent}` },
      threadId: post,
      engagement: comment.likes ? { likes: comment.likes.count } : undefined,
    },
  };
}
