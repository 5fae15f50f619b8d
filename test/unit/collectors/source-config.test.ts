import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TagpulseConfig } from '../../../schemas/index.js';

const sources = (...list: unknown[]) => TagpulseConfig.safeParse({ sources: list });

describe('config of the VK, YouTube, X and Instagram sources', () => {
  it('has defaults for credentials (env var names), backfill, follow windows and budgets', () => {
    const parsed = sources({ type: 'vk', name: 'vk' }, { type: 'youtube', name: 'yt' }, { type: 'x', name: 'x' }, { type: 'instagram', name: 'ig', userId: '17841405822304914' });
    expect(parsed.success).toBe(true);
    expect(parsed.data!.sources).toMatchObject([
      { tokenEnv: 'TAGPULSE_VK_TOKEN', backfillDays: 30, followRepliesDays: 7 },
      { apiKeyEnv: 'TAGPULSE_YOUTUBE_API_KEY', searchCallsPerDay: 100, followRepliesDays: 7 },
      { bearerTokenEnv: 'TAGPULSE_X_BEARER_TOKEN', followRepliesDays: 7 },
      { accessTokenEnv: 'TAGPULSE_INSTAGRAM_TOKEN', schedule: '*/30 * * * *' },
    ]);
  });

  it('refuses replies followed beyond X’s seven days, and an Instagram user id that is not one', () => {
    expect(sources({ type: 'x', name: 'x', followRepliesDays: 8 }).success).toBe(false);
    expect(sources({ type: 'instagram', name: 'ig', userId: '@feminita' }).error!.issues[0]!.message).toMatch(/numeric id/);
  });

  it('refuses an Instagram schedule slower than hourly, since only the last 24 hours are visible', () => {
    const parse = (schedule: string) => sources({ type: 'instagram', name: 'ig', userId: '1784', schedule });
    for (const fine of ['*/30 * * * *', '5 * * * *', '0 */10 * * * *', '7 */1 * * *']) expect(parse(fine).success, fine).toBe(true);
    for (const slow of ['0 */2 * * *', '0 9 * * *', '*/10 * * * 1-5', '0 0 9 * * *', '0 * 1 * *']) {
      const result = parse(slow);
      expect(result.success, slow).toBe(false);
      expect(result.error!.issues[0]!.message).toMatch(/at least once an hour/);
    }
  });

  it('still prints as JSON Schema', () => {
    const json = JSON.stringify(z.toJSONSchema(TagpulseConfig, { io: 'input', unrepresentable: 'any' }));
    expect(json).toContain('followRepliesDays');
    expect(json).toContain('searchCallsPerDay');
  });
});
