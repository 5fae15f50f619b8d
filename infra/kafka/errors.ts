/** An error as kafkajs builds them: a `type` for broker protocol errors, `retriable`, a `code` for socket errors. */
export interface KafkaErrorLink {
  name?: string;
  type?: string;
  retriable?: boolean;
  code?: string;
  cause?: unknown;
}

/**
 * The error and every error it wraps, outermost first. kafkajs wraps through `cause` (its retrier gives up with
 * KafkaJSNumberOfRetriesExceeded around the last failure); ten links at most, so a cyclic chain cannot hang a caller.
 */
export function* errorChain(error: unknown): Generator<KafkaErrorLink> {
  let link = error as KafkaErrorLink | undefined;
  for (let hops = 0; link && hops < 10; hops++, link = link.cause as KafkaErrorLink | undefined) yield link;
}
