import { PlatformFake, startFake, type FakeHttpServer, type FakeRequest, type FakeResponse } from './http.js';

export interface FakeVkPost {
  owner_id: number;
  id: number;
  from_id: number;
  date: number;
  text: string;
  comments: { count: number; can_post: number };
  likes: { count: number };
  reposts: { count: number };
  views: { count: number };
  post_type: 'post';
}

export interface FakeVkComment {
  id: number;
  from_id: number;
  date: number;
  text: string;
  post_id: number;
  owner_id: number;
  parents_stack: number[];
  reply_to_comment?: number;
  likes?: { count: number };
  thread?: { count: number; items: FakeVkComment[]; can_post: boolean };
  deleted?: true;
}

/** A wall post as newsfeed.search returns it. */
export function vkPost(owner: number, id: number, date: number, text: string, extra: Partial<FakeVkPost> = {}): FakeVkPost {
  return {
    owner_id: owner,
    id,
    from_id: owner,
    date,
    text,
    comments: { count: 0, can_post: 1 },
    likes: { count: 7 },
    reposts: { count: 2 },
    views: { count: 150 },
    post_type: 'post',
    ...extra,
  };
}

/** VK's answer to an error: HTTP 200 with the error in the body, the request's parameters echoed. */
export function vkError(code: number, message: string, request?: FakeRequest): FakeResponse {
  const params = request ? [...new URLSearchParams(request.body)].filter(([key]) => key !== 'access_token').map(([key, value]) => ({ key, value })) : [];
  return { body: { error: { error_code: code, error_msg: message, request_params: params } } };
}

/**
 * The VK API (`POST /method/<name>`, form-encoded, v5.199) for what the collector calls: `newsfeed.search`
 * (posts whose text carries `q`, newest first, `start_time` inclusive, `end_time` exclusive, and only the last
 * 24 hours when `start_time` is missing, as VK does; an opaque `next_from`), `wall.getComments` (top-level
 * comments, `sort=desc`, `offset`, `count` ≤ 100, each with the first `thread_items_count` replies of its
 * thread, texts cut to `preview_length` characters, 90 by default) and `wall.getById` (current counters). Every answer is a 200; a wrong token is error 5.
 */
export class FakeVk extends PlatformFake {
  readonly posts: FakeVkPost[] = [];
  /** Top-level comments by `owner_post`, each with its thread's replies. */
  readonly comments = new Map<string, FakeVkComment[]>();
  /** Posts whose comments are closed (error 212). */
  readonly closed = new Set<string>();

  private constructor(
    server: FakeHttpServer,
    private readonly token: string,
  ) {
    super(server);
  }

  static start(token: string): Promise<FakeVk> {
    return startFake((server) => new FakeVk(server, token));
  }

  /** The parameters of each call of a method, in order. */
  calls(method: string): URLSearchParams[] {
    return this.server.requestsTo(`/method/${method}`).map((r) => new URLSearchParams(r.body));
  }

  /** Adds a top-level comment to a post (and counts it and its replies on the post). */
  comment(owner: number, postId: number, comment: Omit<FakeVkComment, 'post_id' | 'owner_id' | 'parents_stack'> & { parents_stack?: number[] }): void {
    const key = `${owner}_${postId}`;
    const full: FakeVkComment = { parents_stack: [], ...comment, post_id: postId, owner_id: owner };
    this.comments.set(key, [...(this.comments.get(key) ?? []), full]);
    const post = this.posts.find((p) => p.owner_id === owner && p.id === postId);
    if (post) post.comments.count += 1 + (comment.thread?.count ?? 0);
  }

  respond(request: FakeRequest): FakeResponse {
    const params = new URLSearchParams(request.body);
    const method = /^\/method\/([\w.]+)$/.exec(request.url.pathname)?.[1];
    if (request.method !== 'POST' || !method) return { status: 404, body: 'not found' };
    if (params.get('v') !== '5.199') return vkError(8, 'Invalid request: v is required', request);
    if (params.get('access_token') !== this.token) return vkError(5, 'User authorization failed: invalid access_token (4).', request);
    switch (method) {
      case 'newsfeed.search':
        return { body: { response: this.search(params) } };
      case 'wall.getComments': {
        const key = `${params.get('owner_id')}_${params.get('post_id')}`;
        if (this.closed.has(key)) return vkError(212, 'Access to post comments denied', request);
        if (!this.posts.some((p) => `${p.owner_id}_${p.id}` === key)) return vkError(15, 'Access denied: post was deleted', request);
        const all = [...(this.comments.get(key) ?? [])].sort((a, b) => (params.get('sort') === 'desc' ? b.id - a.id : a.id - b.id));
        const offset = Number(params.get('offset') ?? 0);
        const count = Math.min(Number(params.get('count') ?? 10), 100);
        const threadItems = Number(params.get('thread_items_count') ?? 0);
        // As VK does: texts cut to `preview_length` characters, 90 unless given (0: whole).
        const previewLength = Number(params.get('preview_length') ?? 90);
        const cut = <C extends { text: string }>(c: C): C => (previewLength > 0 && c.text.length > previewLength ? { ...c, text: c.text.slice(0, previewLength) } : c);
        const items = all
          .slice(offset, offset + count)
          .map((c) => cut(c.thread ? { ...c, thread: { ...c.thread, items: c.thread.items.slice(0, threadItems).map(cut) } } : c));
        const total = all.reduce((n, c) => n + 1 + (c.thread?.count ?? 0), 0);
        return { body: { response: { count: total, current_level_count: all.length, can_post: true, show_reply_button: true, groups_can_post: true, items, profiles: this.profiles(), groups: [] } } };
      }
      case 'wall.getById': {
        const wanted = (params.get('posts') ?? '').split(',');
        return { body: { response: { items: this.posts.filter((p) => wanted.includes(`${p.owner_id}_${p.id}`)) } } };
      }
      default:
        return vkError(3, 'Unknown method passed', request);
    }
  }

  private profiles() {
    const ids = new Set(this.posts.map((p) => p.from_id).filter((id) => id > 0));
    for (const list of this.comments.values()) for (const c of list) if (c.from_id > 0) ids.add(c.from_id);
    return [...ids].map((id) => ({ id, first_name: 'Айгерім', last_name: 'Н', screen_name: `id${id}`, can_access_closed: true, is_closed: false }));
  }

  private search(params: URLSearchParams) {
    const q = (params.get('q') ?? '').toLowerCase();
    const now = Math.floor(Date.now() / 1000);
    const start = Number(params.get('start_time') ?? now - 86_400);
    const end = Number(params.get('end_time') ?? Number.POSITIVE_INFINITY);
    const hits = this.posts
      .filter((p) => p.text.toLowerCase().includes(q) && p.date >= start && p.date < end)
      .sort((a, b) => b.date - a.date || b.id - a.id);
    const offset = Number((params.get('start_from') ?? 'o0').slice(1));
    const count = Math.min(Number(params.get('count') ?? 30), 200);
    const items = hits.slice(offset, offset + count);
    const groups = [...new Set(items.map((p) => p.owner_id).filter((id) => id < 0))].map((id) => ({ id: -id, name: 'Феминита', screen_name: `club${-id}`, is_closed: 0, type: 'group' }));
    return {
      items,
      count: items.length,
      total_count: hits.length,
      profiles: this.profiles(),
      groups,
      ...(offset + count < hits.length ? { next_from: `o${offset + count}` } : {}),
    };
  }
}
