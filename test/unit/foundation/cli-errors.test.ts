import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli } from '../../support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'tagpulse-cli-'));

async function configOnFreePorts(extra: { kafkaPort?: number; searchPort?: number } = {}): Promise<string> {
  const kafkaPort = extra.kafkaPort ?? (await freePort());
  const searchPort = extra.searchPort ?? (await freePort());
  const file = join(home, `config-${kafkaPort}-${searchPort}.json`);
  writeFileSync(file, JSON.stringify({ kafka: { brokers: [`127.0.0.1:${kafkaPort}`] }, search: { node: `http://127.0.0.1:${searchPort}` } }));
  return file;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('clear one-line errors', () => {
  const servers: Array<{ close(): void }> = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('missing Java says what to install', async () => {
    const config = await configOnFreePorts();
    const result = await runCli(['stack', 'up', '--config', config], { env: { JAVA_HOME: '/nonexistent-java', TAGPULSE_HOME: home } });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/Java 17 or newer is needed.*apt-get install -y openjdk-17-jre-headless.*JAVA_HOME/);
  });

  it('a port taken by something else names the port, and nothing is started', async () => {
    const server = createHttpServer((_req, res) => res.end('not a search engine'));
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const config = await configOnFreePorts({ searchPort: port });
    const result = await runCli(['stack', 'up', '--config', config], { env: { TAGPULSE_HOME: home } });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain(`port ${port} on 127.0.0.1 is taken by something that is not OpenSearch or Elasticsearch`);
    const status = await runCli(['stack', 'status', '--json', '--config', config], { env: { TAGPULSE_HOME: home } });
    expect(JSON.parse(status.stdout).kafka).toMatchObject({ running: false, ours: false });
  });

  it('a Kafka port held by a non-Kafka server is refused', async () => {
    const server = createHttpServer((_req, res) => res.end('hello'));
    servers.push(server);
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const config = await configOnFreePorts({ kafkaPort: port });
    const result = await runCli(['stack', 'up', '--config', config], { env: { TAGPULSE_HOME: home } });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain(`port ${port} on 127.0.0.1 is taken by something that is not a Kafka broker`);
  });

  it('a bad config file names the file, the field and the rule', async () => {
    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify({ kafka: { brokers: [] }, privacy: { keyEnv: 'lower-case' } }));
    const result = await runCli(['init', '--config', file]);
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain(`config file ${file} is invalid`);
    expect(line).toMatch(/kafka\.brokers: .*1/);
    expect(line).toMatch(/privacy\.keyEnv: an environment variable name/);
  });

  it('a misspelt key at any depth of the config file, which would otherwise leave its default in force unseen', async () => {
    const file = join(home, 'misspelt.json');
    writeFileSync(
      file,
      JSON.stringify({
        processing: { allowedLatenessMS: 3_600_000 },
        reports: [{ name: 'weekly', cron: '0 6 * * 1', outDir: home, query: { export: 'trends', tag: ['metoo'], intreval: 'week' } }],
      }),
    );
    const result = await runCli(['tags', 'canonical', '--families', '--config', file], { input: 'metoo\n' });
    expect(result.code).toBe(1);
    const line = oneLine(result.stderr);
    expect(line).toContain(`config file ${file} is invalid`);
    expect(line).toMatch(/processing: Unrecognized key: "allowedLatenessMS"/);
    expect(line).toMatch(/reports\.0\.query: Unrecognized key: "intreval"/);
  });

  it('a config file that is not JSON, and one that does not exist', async () => {
    const file = join(home, 'broken.json');
    writeFileSync(file, '{ "kafka": ');
    expect(oneLine((await runCli(['init', '--config', file])).stderr)).toContain('is not valid JSON');
    expect(oneLine((await runCli(['init', '--config', join(home, 'absent.json')])).stderr)).toContain('does not exist');
  });

  it('unknown commands and options exit 2 naming what is allowed', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toMatch(/unknown command "frobnicate"\. Commands: .*stack.*init/);
    const option = await runCli(['stack', 'status', '--jsn']);
    expect(option.code).toBe(2);
    expect(oneLine(option.stderr)).toMatch(/--jsn.*takes: --help, --config, --json/);
    const group = await runCli(['stack']);
    expect(oneLine(group.stderr)).toMatch(/needs a subcommand: up, down, status/);
  });

  it('query and export options are refused in option terms, before any server is asked', async () => {
    // A config pointing at nothing: each of these must be refused from its arguments alone.
    const config = join(home, 'nowhere.json');
    writeFileSync(config, JSON.stringify({ kafka: { brokers: ['127.0.0.1:1'] }, search: { node: 'http://127.0.0.1:1' } }));
    const out = join(home, 'out.csv');
    const cases: Array<[string[], RegExp]> = [
      [['export', 'nope', '--out', out], /^tagpulse: the export must be one of posts, trends, cooccurrence, abuse \(got "nope"\)/],
      [['export', 'posts', '--min-count', '3', '--out', out], /^tagpulse: --min-count: unknown option; allowed: --q, --tag, .*--toward-women/],
      [['cooccur', '--tag', 'a', '--tag', 'b'], /^tagpulse: --tag: given 2 times; give it once/],
      [['search', '--abusive', 'maybe'], /^tagpulse: --abusive: true or false \(also 1\/0, yes\/no, on\/off\) \(got "maybe"\)/],
      [['dashboards', 'import', '--url', 'ftp://127.0.0.1:1'], /^tagpulse: --url must be an absolute http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--config', config]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(oneLine(result.stderr), args.join(' ')).toMatch(message);
    }
  });

  it('a dashboards export into a path it cannot write says so in one line', async () => {
    const file = join(home, 'a-file');
    writeFileSync(file, '');
    const result = await runCli(['dashboards', 'export', '--out', join(file, 'dir')]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^tagpulse: cannot write .*a-file\/dir\/.*: ENOTDIR; pass --out a folder you can write to$/);
  });

  it('every command has --help', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    const paths = [...top.stdout.matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}/gm)].map((m) => m[1]!.split(' '));
    expect(paths.length).toBeGreaterThanOrEqual(5);
    for (const path of paths) {
      const help = await runCli([...path, '--help']);
      expect(help.code, path.join(' ')).toBe(0);
      expect(help.stdout).toMatch(/^Usage: tagpulse /);
    }
  }, 120_000);
});
