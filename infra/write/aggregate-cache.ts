import { LruCache } from '../runtime/lru-cache.ts';
import type { LoadedAggregate } from './aggregate-store.ts';

/**
 * The last known state of recently written streams, so that a command on a warm aggregate appends
 * with its cached expected revision without reading the stream first. Safe because the append's
 * expected revision still guards it: if anyone else wrote meanwhile, the append is refused, the
 * entry dropped and the command re-run on a fresh read. Refusals and no-ops decided on a cached
 * state are also re-checked on a fresh read before they are answered. Bounded, least recently used.
 */
export class AggregateCache<State> extends LruCache<string, LoadedAggregate<State>> {}
