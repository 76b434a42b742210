/**
 * Validation against the wire contract (test/fixtures/protocol/openapi.json, OpenAPI 3.1 =
 * JSON Schema 2020-12). Used by engine tests (what the engine sends) and relay tests (what the
 * relay serves).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../fixtures/protocol/openapi.json', import.meta.url));

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: unknown;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: unknown }>; headers?: Record<string, unknown> }
  >;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown> };
}

export const openapi = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDoc;

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...openapi, $id: 'openapi.json' }, 'openapi.json');

const compiled = new Map<string, ValidateFunction>();
function compile(ref: string): ValidateFunction {
  let fn = compiled.get(ref);
  if (!fn) {
    fn = ajv.compile({ $ref: `openapi.json${ref}` });
    compiled.set(ref, fn);
  }
  return fn;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

/** Validate `value` against `#/components/schemas/<name>`; returns an error string or null. */
export function schemaErrors(name: string, value: unknown): string | null {
  const fn = compile(`#/components/schemas/${name}`);
  return fn(value) ? null : `${name}: ${formatErrors(fn.errors)}`;
}

/** The x-tunnel-failure-schema published inside TunnelResponsePayload.resp_json. */
export function tunnelFailureErrors(value: unknown): string | null {
  const fn = compile(
    '#/components/schemas/TunnelResponsePayload/properties/resp_json/x-tunnel-failure-schema',
  );
  return fn(value) ? null : `tunnel_failure: ${formatErrors(fn.errors)}`;
}

/** Operation templates as `METHOD /v1/tunnels/{tunnel_id}/poll`. */
export function findOperation(
  method: string,
  path: string,
): { template: string; op: OpenApiOperation } | null {
  const clean = path.split('?')[0] ?? path;
  for (const [template, ops] of Object.entries(openapi.paths)) {
    const re = new RegExp(`^(?:/[^?]*?)?${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    const op = ops[method.toLowerCase()];
    if (op && re.test(clean)) return { template, op };
  }
  return null;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/**
 * Check a request a client sent against the contract: known operation, required headers present,
 * query parameters within their schemas, body matching the request schema.
 * Returns a list of problems (empty when valid).
 */
export function requestProblems(req: RecordedRequest): string[] {
  const problems: string[] = [];
  const found = findOperation(req.method, req.url);
  if (!found) return [`no operation ${req.method} ${req.url} in openapi.json`];
  const url = new URL(req.url, 'http://x');
  const auth = req.headers['authorization'];
  if (typeof auth !== 'string' || !/^Bearer \S+$/.test(auth))
    problems.push('Authorization: Bearer <key> missing');
  for (const p of found.op.parameters ?? []) {
    if (p.in === 'header') {
      const v = req.headers[p.name.toLowerCase()];
      if (p.required && v === undefined) problems.push(`required header ${p.name} missing`);
      if (v !== undefined && p.schema) {
        const fn = ajv.compile(p.schema);
        if (!fn(v)) problems.push(`header ${p.name}: ${formatErrors(fn.errors)}`);
      }
    } else if (p.in === 'query') {
      const raw = url.searchParams.get(p.name);
      if (raw === null) {
        if (p.required) problems.push(`required query ${p.name} missing`);
        continue;
      }
      const value: unknown = /^-?\d+$/.test(raw) ? Number(raw) : raw;
      const fn = ajv.compile(p.schema as object);
      if (!fn(value)) problems.push(`query ${p.name}=${raw}: ${formatErrors(fn.errors)}`);
    }
  }
  const bodySchema = found.op.requestBody?.content['application/json']?.schema;
  if (bodySchema) {
    const fn = ajv.compile({
      $ref: `openapi.json#/paths/${escapePointer(found.template)}/${req.method.toLowerCase()}/requestBody/content/application~1json/schema`,
    });
    if (!fn(req.body)) problems.push(`body: ${formatErrors(fn.errors)}`);
  }
  return problems;
}

/**
 * Check a response a server sent: the status is documented for the operation (204 and 200 as
 * listed) and a JSON body matches that status's schema. Returns a list of problems.
 */
export function responseProblems(method: string, path: string, status: number, body: unknown): string[] {
  const found = findOperation(method, path);
  if (!found) return [`no operation ${method} ${path} in openapi.json`];
  const documented = found.op.responses[String(status)];
  if (!documented) return [`status ${status} is not documented for ${method} ${found.template}`];
  const schema = documented.content?.['application/json']?.schema;
  if (!schema)
    return body === undefined || body === '' ? [] : [`status ${status} has no body in the contract`];
  const fn = ajv.compile({
    $ref: `openapi.json#/paths/${escapePointer(found.template)}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`,
  });
  return fn(body) ? [] : [`${status} body: ${formatErrors(fn.errors)}`];
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1').replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}
