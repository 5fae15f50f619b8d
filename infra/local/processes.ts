import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../wait.js';

/**
 * Local server processes that `stack up` starts. Each carries `-Dtagpulse.component=<name>` and
 * `-Dtagpulse.home=<home>` on its command line, so `stack down` can prove a pid is one of ours before
 * signalling it (a recycled pid, or a server someone else started on the same port, is never touched).
 */
export function markerArgs(home: string, component: string): string[] {
  return [`-Dtagpulse.home=${home}`, `-Dtagpulse.component=${component}`];
}

function pidFile(home: string, component: string): string {
  return join(home, `${component}.pid`);
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** The pid of our running process for this component, if its pid file names a live process that carries our markers. */
export function ourPid(home: string, component: string): number | undefined {
  const file = pidFile(home, component);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  const cmd = Number.isInteger(pid) && pid > 0 ? commandLine(pid) : undefined;
  const ours = cmd !== undefined && markerArgs(home, component).every((marker) => cmd.includes(marker));
  if (!ours) rmSync(file, { force: true });
  return ours ? pid : undefined;
}

/** Starts a detached process (it outlives the CLI) with output appended to a log file, and records its pid. */
export function startDetached(
  home: string,
  component: string,
  command: string,
  args: string[],
  logFile: string,
  cwd: string,
): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writeFileSync(pidFile(home, component), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops our process for this component: SIGTERM, then SIGKILL if it has not exited by the deadline. */
export async function stopOurs(home: string, component: string, graceMs = 30_000): Promise<boolean> {
  const pid = ourPid(home, component);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(`${component} (pid ${pid}) to exit`, async () => !alive(pid), { timeoutMs: graceMs });
  } catch {
    process.kill(pid, 'SIGKILL');
    await waitFor(`${component} (pid ${pid}) to die`, async () => !alive(pid), { timeoutMs: 10_000 });
  }
  rmSync(pidFile(home, component), { force: true });
  return true;
}
