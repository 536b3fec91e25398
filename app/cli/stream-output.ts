import type { Writable } from 'node:stream';
import { CoveApiError, type ApiParams } from '../api/contract.js';
import type { CliEngine } from './cli-engine.js';

/**
 * Writes a stream method's bytes (`data` events) to `out`, in order,
 * waiting for `out` to drain; resolves when the stream has ended, rejects
 * with the stream's error.
 */
export async function streamTo<M extends 'containers:export' | 'containers:archive'>(engine: CliEngine, method: M, params: ApiParams<M>, out: Writable): Promise<void> {
  let chain = Promise.resolve();
  let finish: (err?: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => (finish = (err) => (err ? reject(err) : resolve())));
  const write = (chunk: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      out.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  const sub = await engine.subscribe(method, params, (e) => {
    if (e.type !== 'data') return;
    const chunk = Buffer.from(e.data, 'base64');
    chain = chain.then(() => (chunk.length > 0 ? write(chunk) : undefined));
    if (e.ended) void chain.then(() => finish(e.error ? new CoveApiError(e.error) : undefined), finish);
  });
  try {
    await done;
  } finally {
    await sub.close();
  }
}
