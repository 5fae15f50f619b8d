import { connect } from 'node:net';

/** What `stack status` reports for one server, as the server itself reports it. */
export interface ComponentStatus {
  running: boolean;
  /** True when this stack's `up` started the process (and `down` will stop it). */
  ours: boolean;
  pid?: number;
  address: string;
  /** Server-reported facts (versions, cluster id, health). */
  details: Record<string, unknown>;
}

/** One local server of the stack. */
export interface StackComponent {
  name: string;
  address: string;
  /** Asks whatever listens on the address; undefined when nothing does; throws when a different server holds the port. */
  probe(): Promise<Record<string, unknown> | undefined>;
  /** Resolves jars, writes config, formats storage if needed, spawns. Returns without waiting for readiness. */
  start(home: string): Promise<void>;
  /** True once the server answers real requests. */
  ready(): Promise<boolean>;
  /** Where its process writes its output. */
  logFile(home: string): string;
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (inUse: boolean) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}

export function parseHostPort(address: string, what: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`${what} "${address}" is not host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}
