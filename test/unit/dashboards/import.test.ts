import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectProduct, importSavedObjects } from '../../../dashboards/import.js';
import { PRODUCTS, savedObjects, toNdjson, type Product } from '../../../dashboards/saved-objects.js';
import { chartContext } from '../../../dashboards/specs.js';
import { TagpulseConfig } from '../../../schemas/index.js';
import { runCli } from '../../support/cli.js';

/**
 * A stand-in for Kibana and OpenSearch Dashboards (neither runs here): it answers /api/status with the product's
 * name header and /api/saved_objects/_import the way they do, and checks the multipart request as they would.
 */
interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  parts: Array<{ name: string; filename?: string; type?: string; body: string }>;
}

function multipart(contentType: string | undefined, body: Buffer): Recorded['parts'] {
  const boundary = /^multipart\/form-data;\s*boundary=(?:"([^"]+)"|([^;]+))$/i.exec(contentType ?? '');
  if (!boundary) throw new Error(`not multipart/form-data: ${contentType}`);
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  const text = body.toString('utf8');
  expect(text.trimEnd().endsWith(`${delimiter}--`)).toBe(true);
  return text
    .split(delimiter)
    .slice(1, -1)
    .map((chunk) => {
      const [head, ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n');
      const disposition = /content-disposition: form-data; name="([^"]+)"(?:; filename="([^"]+)")?/i.exec(head!)!;
      const type = /content-type: ([^\r\n]+)/i.exec(head!)?.[1];
      return { name: disposition[1]!, filename: disposition[2], type, body: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
    });
}

class FakeDashboards {
  server!: Server;
  requests: Recorded[] = [];
  answer: { status: number; body: unknown } | undefined;

  constructor(readonly product: Product) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const url = new URL(request.url!, 'http://fake');
        const body = Buffer.concat(chunks);
        const name = this.product === 'kibana' ? 'kbn-name' : 'osd-name';
        const xsrf = this.product === 'kibana' ? 'kbn-xsrf' : 'osd-xsrf';
        if (url.pathname === '/api/status') {
          response.writeHead(200, { [name]: 'fake', 'content-type': 'application/json' }).end('{"status":{"overall":{"level":"available"}}}');
          return;
        }
        const recorded: Recorded = { method: request.method!, path: url.pathname, query: url.searchParams, headers: request.headers, parts: [] };
        this.requests.push(recorded);
        if (!request.headers[xsrf]) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 400, error: 'Bad Request', message: `Request must contain a ${xsrf} header.` }));
          return;
        }
        recorded.parts = multipart(request.headers['content-type'], body);
        const objects = recorded.parts[0]!.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; type: string });
        const reply = this.answer ?? { status: 200, body: { success: true, successCount: objects.length, successResults: objects.map((o) => ({ id: o.id, type: o.type, overwrite: true })) } };
        response.writeHead(reply.status, { [name]: 'fake', 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const context = chartContext(TagpulseConfig.parse({}));
const ndjsonOf = (product: Product) => toNdjson(savedObjects(context, { product, methodologyUrl: 'http://127.0.0.1:8080/docs/abuse-methodology.md' }));

describe.each(PRODUCTS)('import into %s', (product) => {
  const fake = new FakeDashboards(product);
  let url: string;
  beforeAll(async () => {
    url = await fake.start();
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    fake.requests = [];
    fake.answer = undefined;
  });

  it('is recognised by its name header', async () => {
    expect(await detectProduct({ url })).toBe(product);
  });

  it('posts the NDJSON as a multipart file to the import API with overwrite and the xsrf header', async () => {
    const ndjson = ndjsonOf(product);
    const result = await importSavedObjects({ url: `${url}/`, authorization: 'Basic dXNlcjpwdw==' }, product, ndjson);
    expect(result).toMatchObject({ product, success: true, errors: [] });
    expect(result.successCount).toBe(ndjson.trimEnd().split('\n').length);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/api/saved_objects/_import');
    expect(request!.query.get('overwrite')).toBe('true');
    expect(request!.headers[product === 'kibana' ? 'kbn-xsrf' : 'osd-xsrf']).toBe('true');
    expect(request!.headers[product === 'kibana' ? 'osd-xsrf' : 'kbn-xsrf']).toBeUndefined();
    expect(request!.headers.authorization).toBe('Basic dXNlcjpwdw==');
    expect(request!.parts).toHaveLength(1);
    expect(request!.parts[0]).toMatchObject({ name: 'file', filename: `${product}.ndjson`, type: 'application/ndjson' });
    expect(request!.parts[0]!.body).toBe(ndjson);
  });

  it('goes to a Kibana space when one is given', async () => {
    await importSavedObjects({ url, space: 'newsroom' }, product, ndjsonOf(product));
    expect(fake.requests[0]!.path).toBe('/s/newsroom/api/saved_objects/_import');
  });

  it('reports the objects the product refused', async () => {
    fake.answer = { status: 200, body: { success: false, successCount: 1, errors: [{ id: 'x', type: 'visualization', title: 'X', error: { type: 'conflict' } }] } };
    const result = await importSavedObjects({ url }, product, ndjsonOf(product));
    expect(result).toMatchObject({ success: false, successCount: 1, errors: [{ id: 'x', error: { type: 'conflict' } }] });
  });

  it('through the CLI: detects the product, reads credentials from the environment, exits 0', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tagpulse-dashboards-'));
    const configFile = join(home, 'tagpulse.config.json');
    writeFileSync(configFile, JSON.stringify({ search: { indexPrefix: 'newsroom' } }));
    const result = await runCli(['dashboards', 'import', '--url', url, '--config', configFile, '--username-env', 'TP_USER', '--password-env', 'TP_PASSWORD', '--language', 'kk'], {
      env: { TP_USER: 'analyst', TP_PASSWORD: 's3cret' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${product}: \\d+ saved objects imported \\(overwrite\\) into ${url}\\n$`));
    const [request] = fake.requests;
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('analyst:s3cret').toString('base64')}`);
    const objects = request!.parts[0]!.body.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: string; attributes: { title: string } });
    expect(objects.map((o) => o.id)).toContain('newsroom-dashboard-campaign-overview');
    expect(objects.find((o) => o.id === 'newsroom-dashboard-abuse-toward-women')!.attributes.title).toBe('Tagpulse: Әйелдерге бағытталған қорлау');
  }, 30_000);

  it('through the CLI: a refusal is one line and exit code 1', async () => {
    fake.answer = { status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'missing authentication credentials' } };
    const result = await runCli(['dashboards', 'import', '--url', url, '--product', product]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('HTTP 401');
    expect(result.stderr).toContain('--username-env');
  }, 30_000);
});

describe('dashboards CLI usage errors', () => {
  it('needs --url, a known product and environment variable names', async () => {
    expect((await runCli(['dashboards', 'import'])).code).toBe(2);
    const product = await runCli(['dashboards', 'import', '--url', 'http://127.0.0.1:9', '--product', 'grafana']);
    expect(product.code).toBe(2);
    expect(product.stderr).toContain('kibana, opensearch-dashboards');
    const secret = await runCli(['dashboards', 'import', '--url', 'http://127.0.0.1:9', '--password-env', 'hunter2']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('NAME of an environment variable');
  }, 30_000);

  it('export writes both files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tagpulse-dashboards-out-'));
    const result = await runCli(['dashboards', 'export', '--out', out]);
    expect(result.code).toBe(0);
    for (const product of PRODUCTS) expect(readFileSync(join(out, `${product}.ndjson`), 'utf8')).toBe(ndjsonOf(product));
  }, 30_000);
});
