import type { CommandIo } from './command.js';

const TTY_REDRAW_MS = 100;
const PLAIN_LINE_MS = 5_000;

/**
 * Progress of a long command on stderr (so stdout stays clean): on a terminal one line redrawn ten times a
 * second with `bar`; otherwise (a log, CI) a plain `line` every few seconds, which does not flood the file.
 */
export function progressReporter<P>(io: CommandIo, bar: (progress: P) => string, line: (progress: P) => string) {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(progress: P) {
      const now = Date.now();
      if (now - last < (tty ? TTY_REDRAW_MS : PLAIN_LINE_MS)) return;
      last = now;
      if (tty) {
        io.stderr.write(`\r${bar(progress)}\x1b[K`);
        drawn = true;
      } else {
        io.stderr.write(`${line(progress)}\n`);
      }
    },
    /** Clears a drawn bar, so the closing summary starts on a clean line. */
    finish() {
      if (drawn) io.stderr.write('\r\x1b[K');
    },
  };
}
