import type { z } from 'zod';
import { RawEnvelope } from './raw.js';
import { NormalisedPost } from './post.js';
import { AbuseMetric, CooccurrenceMetric, LateDataMetric, VolumeMetric } from './metrics.js';
import { DeadLetter } from './dead-letter.js';
import { TagpulseConfig } from './config.js';
import { PostRow } from './api.js';

/** The schemas `tagpulse schema` publishes as JSON Schema, by name. */
export const PUBLISHED_SCHEMAS: Record<string, z.ZodType> = {
  'raw-envelope': RawEnvelope,
  'normalised-post': NormalisedPost,
  'volume-metric': VolumeMetric,
  'cooccurrence-metric': CooccurrenceMetric,
  'abuse-metric': AbuseMetric,
  'late-data-metric': LateDataMetric,
  'dead-letter': DeadLetter,
  config: TagpulseConfig,
  'api-post': PostRow,
};
