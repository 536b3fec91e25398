// Runtime validation of every API input that crosses a trust boundary
// (Electron IPC from the renderer, WebSocket frames from a browser, the unix
// socket). The contract gives the types; these schemas enforce them.
import { z } from 'zod';
import type { ApiMethod, ApiParams } from '../api/contract.js';

const containerId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'not a container id or name');
const reference = z.string().min(1).max(512);
const empty = z.object({}).strict();

const schemas: { [M in ApiMethod]: z.ZodType<ApiParams<M>> } = {
  'containers:list': z.object({ all: z.boolean() }).strict(),
  'containers:run': z
    .object({
      image: reference,
      name: containerId.optional(),
      command: z.array(z.string().max(65536)).max(4096).optional(),
      env: z.array(z.string().min(1).max(65536).regex(/^[^=]+(=|$)/, 'env entries are KEY=VALUE')).max(4096).optional(),
      autoRemove: z.boolean().optional(),
      runtime: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  'containers:start': z.object({ id: containerId }).strict(),
  'containers:stop': z.object({ id: containerId, timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict(),
  'containers:kill': z
    .object({ id: containerId, signal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^[0-9]{1,2}$/).optional() })
    .strict(),
  'containers:remove': z.object({ id: containerId, force: z.boolean() }).strict(),
  'containers:logs': z.object({ id: containerId, tail: z.number().int().min(0).max(1_000_000).optional() }).strict(),
  'containers:inspect': z.object({ id: containerId }).strict(),
  'containers:restart': z.object({ id: containerId, timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict(),
  'images:list': empty,
  'images:remove': z.object({ reference, force: z.boolean() }).strict(),
  'images:pull': z
    .object({ reference, platform: z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, 'platform is os/arch[/variant]').optional() })
    .strict(),
  'tasks:list': empty,
  'tasks:cancel': z.object({ id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/) }).strict(),
  'system:doctor': empty,
  'settings:get': empty,
  'settings:set': z.object({ runtime: z.string().min(1).max(4096).optional() }).strict(),
};

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(schemas, value);
}

export type ValidationResult<M extends ApiMethod> = { ok: true; params: ApiParams<M> } | { ok: false; message: string };

/** Checks params for a method; the message names the offending field. */
export function validateParams<M extends ApiMethod>(method: M, params: unknown): ValidationResult<M> {
  const schema = schemas[method] as z.ZodType<ApiParams<M>>;
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') + ': ' : '';
  return { ok: false, message: `invalid ${method} request: ${where}${issue?.message ?? 'bad input'}` };
}
