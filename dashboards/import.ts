import { NDJSON_FILE, type Product } from './saved-objects.js';

/** The header each product wants on a state-changing request (cross-site request forgery guard). */
export const XSRF_HEADER: Record<Product, string> = { kibana: 'kbn-xsrf', 'opensearch-dashboards': 'osd-xsrf' };

export interface ImportTarget {
  /** Base address of Kibana or OpenSearch Dashboards (with its base path, if any). */
  url: string;
  /** Kibana space; objects go to the default space without it. */
  space?: string;
  /** `Authorization` header value, if the product needs one. */
  authorization?: string;
}

export interface ImportResult {
  product: Product;
  success: boolean;
  successCount: number;
  errors: Array<{ type: string; id: string; title?: string; error: { type: string; [k: string]: unknown } }>;
}

export class DashboardImportError extends Error {
  override name = 'DashboardImportError';
}

function base(target: ImportTarget): string {
  const url = target.url.replace(/\/+$/, '');
  return target.space ? `${url}/s/${encodeURIComponent(target.space)}` : url;
}

function headers(target: ImportTarget, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(target.authorization ? { authorization: target.authorization } : {}) };
}

/** Which product answers at the address: Kibana names itself in `kbn-name`, OpenSearch Dashboards in `osd-name`. */
export async function detectProduct(target: ImportTarget): Promise<Product> {
  let response: Response;
  try {
    response = await fetch(`${target.url.replace(/\/+$/, '')}/api/status`, { headers: headers(target) });
  } catch (error) {
    throw new DashboardImportError(`cannot reach ${target.url} (${(error as Error).cause ?? (error as Error).message}); is Kibana or OpenSearch Dashboards running there?`);
  }
  await response.body?.cancel();
  if (response.headers.has('osd-name')) return 'opensearch-dashboards';
  if (response.headers.has('kbn-name')) return 'kibana';
  throw new DashboardImportError(
    `${target.url}/api/status (HTTP ${response.status}) does not say whether it is Kibana or OpenSearch Dashboards; give --product kibana or --product opensearch-dashboards`,
  );
}

/**
 * Loads NDJSON saved objects through the product's import API, replacing objects with the same ids
 * (`POST /api/saved_objects/_import?overwrite=true`, multipart with the file in the `file` field).
 */
export async function importSavedObjects(target: ImportTarget, product: Product, ndjson: string): Promise<ImportResult> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), NDJSON_FILE[product]);
  const url = `${base(target)}/api/saved_objects/_import?overwrite=true`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body: form, headers: headers(target, { [XSRF_HEADER[product]]: 'true' }) });
  } catch (error) {
    throw new DashboardImportError(`cannot reach ${target.url} (${(error as Error).cause ?? (error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) {
    const hint = response.status === 401 || response.status === 403 ? '; give credentials with --username-env/--password-env or --api-key-env' : '';
    throw new DashboardImportError(`${url} answered HTTP ${response.status}: ${text.slice(0, 300)}${hint}`);
  }
  let body: { success?: boolean; successCount?: number; errors?: ImportResult['errors'] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new DashboardImportError(`${url} answered HTTP ${response.status} with something that is not JSON: ${text.slice(0, 200)}`);
  }
  return { product, success: body.success === true, successCount: body.successCount ?? 0, errors: body.errors ?? [] };
}
