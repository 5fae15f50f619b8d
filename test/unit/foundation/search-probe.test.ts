import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opensearchComponent } from '../../../infra/local/opensearch-node.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { freePort } from '../../support/cli.js';

/** A secured engine, as the compose file's Elasticsearch is: 401 to any request without the right credentials. */
const USER = 'elastic';
const PASSWORD = 'probe-test-password';
let server: Server;
let port: number;

beforeAll(async () => {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  server = createServer((request, response) => {
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic' });
      response.end(JSON.stringify({ error: { type: 'security_exception' }, status: 401 }));
      return;
    }
    const body = request.url?.startsWith('/_cluster/health') ? { status: 'green' } : { cluster_name: 'secured', version: { number: '8.15.0' } };
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the search engine probe (stack status, /api/health)', () => {
  it('asks a secured engine with the configured credentials, and finds it running', async () => {
    process.env.TAGPULSE_PROBE_TEST_USER = USER;
    process.env.TAGPULSE_PROBE_TEST_PASSWORD = PASSWORD;
    const config = TagpulseConfig.parse({
      search: { node: `http://127.0.0.1:${port}`, usernameEnv: 'TAGPULSE_PROBE_TEST_USER', passwordEnv: 'TAGPULSE_PROBE_TEST_PASSWORD' },
    });
    expect(await opensearchComponent(config).probe()).toMatchObject({ engine: 'elasticsearch', version: '8.15.0', health: 'green' });
  });

  it('without credentials, says which settings to give rather than that the port holds something else', async () => {
    const config = TagpulseConfig.parse({ search: { node: `http://127.0.0.1:${port}` } });
    await expect(opensearchComponent(config).probe()).rejects.toThrow(/refused the request \(401\): set search\.usernameEnv and passwordEnv, or apiKeyEnv/);
  });
});
