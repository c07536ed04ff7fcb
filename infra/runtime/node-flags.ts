/**
 * V8 flags of the service's two processes, measured under the GraphQL load of the bench (see
 * README, Performance). Without them V8 sizes each heap for a machine with gigabytes to spare:
 * the old generation grows to about four times what is alive before it is collected, and the
 * young generation to 32 MiB.
 *
 * The API caps its old generation, which also makes V8 grow that heap by a smaller factor over
 * what is alive (about 1.5 instead of 4): −80 to −90 MiB of RSS under load, no measurable
 * CPU cost. Its live heap is bounded by design (caches, queues and batches all have limits) at
 * well under a tenth of the cap. A smaller young generation would save 16 to 28 MiB more but
 * cost the API 10 to 40 % more CPU per request, so it keeps V8's default.
 *
 * The event store keeps an index that grows with the data (per stream and per event), so its
 * old generation is not capped; its young generation is: −15 to −25 MiB, and its share of the
 * CPU is small.
 */
export const apiNodeFlags: readonly string[] = ['--max-old-space-size=768'];
export const eventStoreNodeFlags: readonly string[] = ['--max-semi-space-size=4'];
