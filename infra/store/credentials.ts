import type { TagpulseConfig } from '../../schemas/index.js';
import type { Credentials } from './adapters.js';

/** The configured search credentials, read from the environment variables the config names. */
export function credentialsFrom(config: TagpulseConfig['search'], env: NodeJS.ProcessEnv): Credentials {
  const read = (name: string | undefined) => (name ? env[name] : undefined);
  return { username: read(config.usernameEnv), password: read(config.passwordEnv), apiKey: read(config.apiKeyEnv) };
}

/** The Authorization header credentials give: an API key before a user name and password. */
export function authorizationOf(credentials: Credentials): Record<string, string> {
  if (credentials.apiKey) return { authorization: `ApiKey ${credentials.apiKey}` };
  if (credentials.username) return { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}` };
  return {};
}

/** The Authorization header of the configured search credentials (none without them), for plain HTTP requests. */
export function searchAuthorization(config: TagpulseConfig['search'], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return authorizationOf(credentialsFrom(config, env));
}
