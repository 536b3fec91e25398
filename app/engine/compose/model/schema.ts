// Validation against the Compose Specification's published JSON schema
// (compose-spec.json beside this file, draft-07) with ajv, compiled ahead of
// time (schema-codegen.ts) into compose-spec-validate.js. Of the errors ajv
// finds, the one deepest in the model is reported - for a `oneOf` of
// syntaxes that is the place the user got wrong - as its path in the model
// (`services.web.ports[0]`), what was expected, and the file:line:column.
import type { ErrorObject } from 'ajv';
import { validate } from './compose-spec-validate.js';
import { formatPath, invalid, type ModelPath } from './yaml-file.js';

function modelPath(instancePath: string): ModelPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p, i, all) => (/^\d+$/.test(p) && i > 0 && Array.isArray(all) ? Number(p) : p));
}

function describe(errors: ErrorObject[]): string {
  const types = new Set<string>();
  const other: string[] = [];
  for (const e of errors) {
    if (e.keyword === 'type') types.add(String((e.params as { type: unknown }).type).replace(/,/g, ' or '));
    else if (e.keyword === 'additionalProperties') other.push(`additional property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)} is not allowed`);
    else if (e.keyword === 'enum') other.push(`must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`);
    else if (e.keyword === 'required') other.push(`${JSON.stringify((e.params as { missingProperty: string }).missingProperty)} is required`);
    else if (e.keyword === 'pattern') other.push(`must match ${(e.params as { pattern: string }).pattern}`);
    else if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if' && e.message) other.push(e.message);
  }
  const parts = [...new Set(other)];
  if (types.size > 0) parts.unshift(`must be a ${[...types].join(' or ')}`);
  return parts.join('; ') || 'does not match the Compose Specification';
}

/** Throws E_COMPOSE_INVALID when `tree` (one interpolated file) breaks the schema. */
export function validateSchema(tree: unknown, file: string, locate: (p: ModelPath, key?: boolean) => string | undefined): void {
  if (validate(tree)) return;
  const errors = validate.errors ?? [];
  // additionalProperties names a key: report it at the key, which is deeper than its mapping.
  const depth = (e: ErrorObject) => modelPath(e.instancePath).length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const deepest = Math.max(...errors.map(depth));
  const chosen = errors.filter((e) => depth(e) === deepest);
  const first = chosen[0] as ErrorObject;
  const at = modelPath(first.instancePath);
  const sameSpot = chosen.filter((e) => e.instancePath === first.instancePath);
  const full = first.keyword === 'additionalProperties' ? [...at, (first.params as { additionalProperty: string }).additionalProperty] : at;
  const where = locate(full, first.keyword === 'additionalProperties') ?? file;
  throw invalid(`${where}: ${formatPath(at) || '(top level)'}: ${describe(sameSpot)}`);
}
