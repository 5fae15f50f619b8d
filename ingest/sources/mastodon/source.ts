import type { SourceConfig } from '../../../schemas/index.js';
import { parseLinkHeader } from '../../framework/headers.js';
import { htmlToText } from '../../framework/html.js';
import { expectOk, HttpError, jsonBody, type HttpResponse } from '../../framework/http.js';
import { tryParseJson } from '../../framework/json.js';
import { normaliseTags, PageBuilder, SourceSetupError, type ItemParts, type PollingSource, type SourceContext } from '../../framework/source.js';
import { newestFirst, TimelineCursor, type TimelineRequest } from '../../framework/timeline.js';
import { MastodonError, MastodonStatus, TagTimelineResponse } from './schema.js';

export type MastodonConfig = Extract<SourceConfig, { type: 'mastodon' }>;

export const DEFAULT_MASTODON_INSTANCE = 'https://mastodon.social';
/** The API's maximum page size for timelines. */
const PAGE_SIZE = 40;
/** Local-id → uri of statuses seen, per instance, to resolve `in_reply_to_id` without asking again. */
const REPLY_CACHE_LIMIT = 10_000;
/** What Mastodon's `require_user!` answers (401 now, 422 in older versions) when a tag timeline is for logged-in accounts only. */
const LOGIN_REQUIRED = /requires an authenticated user/i;

interface TagQuery {
  instance: URL;
  tag: string;
}

/**
 * Mastodon hashtag timelines (`GET /api/v1/timelines/tag/:hashtag`) on each configured instance: every instance
 * shows the public posts it knows of, its own and federated ones, so several instances widen coverage.
 *
 * Paging: newest first with `max_id` from the `Link: rel="next"` header, bounded below by `since_id` = the
 * previous run's high-water mark (the newest status id of the last finished run, taken from `rel="prev"`'s
 * `min_id`), so the server itself stops at the mark: the run is complete at the first empty page.
 *
 * Identity: a post has one `uri` on every instance (its ActivityPub id) but a different local `id` on each, so
 * envelopes are keyed by `uri` and the same post seen on two instances is one key. Boosts are replaced by the
 * original they boost (keyed by the original's uri): a boost in a tag timeline means the original carries the
 * tag, and the boost itself is engagement the original's `reblogs_count` already counts.
 *
 * Access: instances whose admins keep tag timelines for logged-in accounts (`local_topic_feed_access` /
 * `remote_topic_feed_access` not public; `timeline_preview` off in older versions) refuse anonymous requests
 * with 401 or 422 "This method requires an authenticated user". `accessTokenEnv` names the variable with an
 * account's token, sent as `Authorization: Bearer` (never in a URL) to the source's one instance; a refusal
 * fails that instance's queries with what to do, and the other instances go on.
 */
export function createMastodonSource(config: MastodonConfig, context: SourceContext): PollingSource<TimelineCursor> {
  const instances = (config.instances ?? [config.baseUrl ?? DEFAULT_MASTODON_INSTANCE]).map((url) => new URL(url));
  let token: string | undefined;
  if (config.accessTokenEnv !== undefined) {
    if (instances.length > 1) {
      // A token is an account's credential on one server: sent to the others, it would hand it to their admins.
      throw new SourceSetupError(
        `source ${config.name}: accessTokenEnv needs a source with one instance (it lists ${instances.length}): a token belongs to an account on one ` +
          `instance and is never sent to another; give the other instances a source of their own`,
      );
    }
    token = context.env[config.accessTokenEnv];
    if (!token) {
      throw new SourceSetupError(
        `source ${config.name}: set ${config.accessTokenEnv} to an access token of an account on ${instances.map((i) => i.host).join(', ')} ` +
          `(a read-only app token with the read:statuses scope will do), or remove accessTokenEnv from the source`,
      );
    }
  }
  const headers: Record<string, string> = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const queries = new Map<string, TagQuery>();
  // Mastodon stores hashtags lowercased; the path segment must be percent-encoded for Cyrillic tags.
  for (const instance of instances) for (const tag of normaliseTags(context.tags)) queries.set(`${instance.host}#${tag}`, { instance, tag });
  const replyUris = new Map<string, string>();

  const remember = (instance: URL, status: { id: string; uri: string }) => {
    if (replyUris.size >= REPLY_CACHE_LIMIT) replyUris.delete(replyUris.keys().next().value!);
    replyUris.set(`${instance.origin} ${status.id}`, status.uri);
  };

  /** The `uri` of each parent a status answers, which Mastodon only gives as a local id; unknown parents are looked up. */
  const resolveParents = async (instance: URL, items: readonly unknown[], signal: AbortSignal) => {
    const statuses = items.flatMap((item) => {
      const parsed = MastodonStatus.safeParse(item);
      return parsed.success ? [parsed.data.reblog ?? parsed.data] : [];
    });
    for (const status of statuses) remember(instance, status);
    for (const status of statuses) {
      const parentId = status.in_reply_to_id;
      if (!parentId || replyUris.has(`${instance.origin} ${parentId}`)) continue;
      const response = await context.http.request(new URL(`/api/v1/statuses/${encodeURIComponent(parentId)}`, instance), { signal, headers });
      const parent = response.status === 200 ? MastodonStatus.safeParse(tryParseJson(response.body)) : undefined;
      // A deleted or private parent answers 404: the reply is kept, without its link.
      if (parent?.success) remember(instance, parent.data);
      else context.log.debug('reply parent not resolvable', { instance: instance.host, parentId, status: response.status });
    }
  };

  const toParts = (instance: URL, tag: string, item: MastodonStatus): ItemParts => {
    const status = item.reblog ?? item;
    const acct = status.account.acct.includes('@') ? status.account.acct : `${status.account.acct}@${instance.host}`;
    const body = htmlToText(status.content);
    const parentUri = status.in_reply_to_id ? replyUris.get(`${instance.origin} ${status.in_reply_to_id}`) : undefined;
    return {
      platformId: status.uri,
      query: tag,
      item: {
        text: status.spoiler_text ? `${status.spoiler_text}\n\n${body}` : body,
        createdAt: status.created_at,
        author: { id: acct, handle: acct },
        tags: status.tags.map((t) => t.name),
        url: status.url ?? undefined,
        platformLang: status.language ?? undefined,
        replyTo: parentUri ? { platformId: parentUri } : undefined,
        engagement: { likes: status.favourites_count, shares: status.reblogs_count, replies: status.replies_count },
      },
    };
  };

  const fetchTimeline = async ({ query, highWater, next, signal }: TimelineRequest) => {
    const { instance, tag } = queries.get(query)!;
    const url = new URL(`/api/v1/timelines/tag/${encodeURIComponent(tag)}`, instance);
    url.searchParams.set('limit', String(PAGE_SIZE));
    if (highWater) url.searchParams.set('since_id', highWater);
    if (next) url.searchParams.set('max_id', next);
    const response = expectOk(refusal(instance, await context.http.request(url, { signal, headers })));
    const items = jsonBody(response, TagTimelineResponse);
    await resolveParents(instance, items, signal);
    const page = new PageBuilder({ sourceName: config.name, envelopeSource: `${config.name}:${instance.host}`, platform: 'mastodon', clock: context.clock });
    items.forEach((item, index) => page.add(item, MastodonStatus, (status) => toParts(instance, tag, status), { url: url.href, index }));
    const links = parseLinkHeader(response.headers.get('link'));
    return {
      page,
      newest: linkParam(links.get('prev'), 'min_id'),
      // An empty page (or one without a next link) is the end: since_id already cut the timeline at the mark.
      older: items.length > 0 ? linkParam(links.get('next'), 'max_id') : undefined,
    };
  };

  /**
   * A tag timeline refused to anonymous (or not logged-in) requests, as an error naming the instance and the fix:
   * it fails this query only, so the cursor stays and the source's other instances go on.
   */
  const refusal = (instance: URL, response: HttpResponse): HttpResponse => {
    if (response.status !== 401 && response.status !== 422) return response;
    const answer = MastodonError.safeParse(tryParseJson(response.body));
    if (!answer.success || !LOGIN_REQUIRED.test(answer.data.error)) return response;
    const said = `${response.status}: ${answer.data.error}`;
    throw new HttpError(
      response,
      token
        ? `${instance.host} requires a logged-in account for tag timelines and did not accept the token in ${config.accessTokenEnv} as one (${said}); ` +
            `it must be a user token (not an app-only token) of an account on ${instance.host}, with the read:statuses scope, not revoked`
        : `${instance.host} requires a logged-in account for tag timelines (${said}); set accessTokenEnv on source ${config.name} ` +
            `to the name of an environment variable holding an access token of an account on ${instance.host} (read:statuses scope)`,
    );
  };

  return {
    kind: 'polling',
    name: config.name,
    platform: 'mastodon',
    cursorSchema: TimelineCursor,
    queries: () => [...queries.keys()],
    fetchPage: newestFirst(fetchTimeline),
  };
}

function linkParam(link: string | undefined, name: string): string | undefined {
  return link ? (new URL(link).searchParams.get(name) ?? undefined) : undefined;
}

