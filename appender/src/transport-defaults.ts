import { WhenFull } from './sink/sink-options.js';

/**
 * Defaults the logger transports apply where the sink's defaults suit the daemon instead. A
 * transport lives inside someone else's application: when Kinesis cannot keep up (an outage,
 * throttling) it must neither slow the application down nor make its exit wait on an
 * unbounded backlog, so a full buffer drops its oldest records, counted, instead of blocking.
 *
 * @example
 * ```ts
 * new KinesisSink({ streamName: 'logs', whenFull: options.whenFull ?? TransportDefaults.WHEN_FULL });
 * ```
 */
export const TransportDefaults = {
  WHEN_FULL: WhenFull.DROP_OLDEST,
} as const;
