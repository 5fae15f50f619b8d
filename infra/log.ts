/**
 * Structured logs: one JSON object per line on stderr (`{"t":…,"level":…,"component":…,"event":…,…fields}`),
 * so counts, errors and lag can be grepped or shipped. Level from TAGPULSE_LOG_LEVEL (debug|info|warn|error; default info).
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

function threshold(): number {
  const wanted = (process.env.TAGPULSE_LOG_LEVEL ?? 'info') as LogLevel;
  return LEVELS[wanted] ?? LEVELS.info;
}

export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export function createLogger(component: string, out: NodeJS.WritableStream = process.stderr): Logger {
  const write = (level: Exclude<LogLevel, 'silent'>) => (event: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < threshold()) return;
    const line = { t: new Date().toISOString(), level, component, event, ...fields };
    out.write(`${JSON.stringify(line, (_k, v: unknown) => (v instanceof Error ? v.message : v))}\n`);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (sub) => createLogger(`${component}.${sub}`, out),
  };
}
