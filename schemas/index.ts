/** Every message and document Tagpulse reads or writes has exactly one schema, here; the TypeScript types come from them. */
export * from './common.js';
export * from './raw.js';
export * from './post.js';
export * from './metrics.js';
export * from './dead-letter.js';
export * from './cursor.js';
export * from './config.js';
export * from './api.js';
export * from './registry.js';
