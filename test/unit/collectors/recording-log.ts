import type { Logger } from '../../../infra/log.js';

/** A logger that keeps what it was told, for tests that check a warning was given. */
export function recordingLog(): Logger & { lines: Array<{ level: string; event: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; event: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (event: string, fields: Record<string, unknown> = {}) => void lines.push({ level, event, fields });
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}
