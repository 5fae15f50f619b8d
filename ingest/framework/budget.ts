import { z } from 'zod';
import type { Logger } from '../../infra/log.js';
import type { Clock } from './clock.js';
import { LimitReachedError, type StatePart } from './source.js';

export const DailyBudgetState = z.object({
  /** The calendar day (YYYY-MM-DD in the budget's time zone) the count belongs to. */
  day: z.string(),
  used: z.number().int().nonnegative(),
});
export type DailyBudgetState = z.infer<typeof DailyBudgetState>;

export interface DailyBudgetOptions {
  /** What is counted, for logs and errors: `YouTube search.list calls`. */
  name: string;
  limit: number;
  /** The time zone whose midnight resets the platform's count (YouTube: America/Los_Angeles). */
  timeZone: string;
  clock: Clock;
  log: Logger;
}

/**
 * A platform's daily allowance of calls, counted by the collector itself (kept in the source's state, so a
 * restart does not forget what was spent) and reset at midnight in the platform's time zone. Every call is
 * taken from it before it is made; the platform's own "quota exceeded" marks the day spent whatever the count
 * said. When it is spent, a `LimitReachedError` ends the query's run (not a failure) and the log says so once a day.
 */
export class DailyBudget implements StatePart<DailyBudgetState> {
  private state: DailyBudgetState = { day: '', used: 0 };
  private announced = '';
  private readonly dayFormat: Intl.DateTimeFormat;

  constructor(private readonly options: DailyBudgetOptions) {
    this.dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: options.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** Calls left today. */
  remaining(): number {
    this.roll();
    return Math.max(0, this.options.limit - this.state.used);
  }

  /** Takes one call; throws `LimitReachedError` when today's are spent. */
  take(): void {
    if (this.remaining() === 0) throw this.spent();
    this.state.used += 1;
    if (this.remaining() === 0) this.announce();
  }

  /** The platform refused for quota: nothing more today, whatever the count said. */
  exhaust(): LimitReachedError {
    this.roll();
    this.state.used = Math.max(this.state.used, this.options.limit);
    return this.spent();
  }

  restore(stored: DailyBudgetState | undefined): void {
    this.state = stored ? { ...stored } : { day: '', used: 0 };
  }

  snapshot(): DailyBudgetState {
    this.roll();
    return { ...this.state };
  }

  private spent(): LimitReachedError {
    this.announce();
    return new LimitReachedError(
      `${this.options.name}: today's budget of ${this.options.limit} (${this.state.day}, ${this.options.timeZone}) is spent; it resets at midnight ${this.options.timeZone}`,
    );
  }

  private announce(): void {
    if (this.announced === this.state.day) return;
    this.announced = this.state.day;
    this.options.log.warn('daily budget spent; collection resumes after its reset', {
      budget: this.options.name,
      limit: this.options.limit,
      day: this.state.day,
      timeZone: this.options.timeZone,
    });
  }

  private roll(): void {
    const today = this.dayFormat.format(new Date(this.options.clock.now()));
    if (this.state.day !== today) this.state = { day: today, used: 0 };
  }
}
