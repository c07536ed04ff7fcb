/**
 * V8 flags of the service's two processes, measured under the GraphQL load of the bench (see
 * README, Performance). Without them V8 sizes each heap for a machine with gigabytes to spare:
 * the old generation grows to about four times what is alive before it is collected, and the
 * young generation to 32 MiB.
 *
 * The API caps its old generation, which also makes V8 grow that heap by a smaller factor over
 * what is alive (about 1.5 instead of 4): −80 to −95 MiB of RSS under load, and no CPU cost
 * that stood out of this machine's noise. Its live heap is bounded by design (caches, queues
 * and batches all have limits): 45 to 70 MiB under the soak, a tenth of the cap. A smaller
 * young generation would save 16 to 28 MiB more but cost the API 10 to 60 % more CPU per
 * request (more scavenges, more objects promoted early), so it keeps V8's default.
 *
 * The event store keeps an index that grows with the data (about 0.6 KiB of heap per stream,
 * as much again outside it), so its old generation is not capped: a cap low enough to change
 * V8's growth factor (under 2 GiB) would save ~10 MiB here and cut the streams it can hold by
 * half or more. Its young generation is capped: −10 to −20 MiB, and its share of the CPU
 * under this load is about a tenth of the API's.
 */
export const apiNodeFlags: readonly string[] = ['--max-old-space-size=768'];
export const eventStoreNodeFlags: readonly string[] = ['--max-semi-space-size=4'];
