import { Writable } from 'node:stream';
import { toApiError } from '../errors.js';
import type { CallContext } from '../subscriptions.js';

/**
 * A `stream` method's answer: opens the subscription, runs `produce` into a
 * Writable whose chunks go out as `data` events (base64), then a last event
 * with `ended` (and `error` if it failed). Closing the subscription destroys
 * the Writable, which stops the producer at its next write.
 */
export function streamToSubscription(ctx: CallContext, produce: (out: Writable) => Promise<void>): { subscription: string } {
  const writable: Writable = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sink.send({ type: 'data', subscription, data: chunk.toString('base64') });
      done();
    },
  });
  const sink = ctx.open(() => writable.destroy());
  const subscription = sink.id;
  void produce(writable)
    .then(() => new Promise<void>((resolve) => writable.end(() => resolve())))
    .then(
      () => sink.send({ type: 'data', subscription, data: '', ended: true }),
      (err: unknown) => sink.send({ type: 'data', subscription, data: '', ended: true, error: toApiError(err) }),
    )
    .finally(() => sink.end());
  return { subscription };
}
