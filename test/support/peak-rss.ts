/**
 * A module to preload into a child process (`node --import PEAK_RSS_PROBE …`) that writes `peak-rss-kb N` to
 * stderr at exit: the kernel's VmHWM, the peak of the process's own memory since it started. Not getrusage's
 * maxrss: Linux carries that over exec from the forked copy of the parent, so it reports the parent's size
 * whenever the parent is the larger (a benchmark process holding half a million documents measured 298 MB for
 * an export that peaked at 187).
 */
const source = [
  `import { readFileSync } from 'node:fs';`,
  `const peakKb = () => /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? process.resourceUsage().maxRSS;`,
  `process.on('exit', () => process.stderr.write('peak-rss-kb ' + peakKb() + '\\n'));`,
].join('\n');
export const PEAK_RSS_PROBE = `data:text/javascript,${encodeURIComponent(source)}`;

/** The peak RSS in MiB that the probe wrote into a child's stderr (NaN when it wrote none). */
export function peakRssMb(stderr: string): number {
  return Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024;
}
