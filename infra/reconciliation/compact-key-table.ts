/**
 * A string → integer table in typed arrays, for the per-run sets that grow with the report
 * (lines seen, payments touched): about 16 bytes per key instead of the ~100 a Map<string>
 * costs, so a million-line run stays in bounded, predictable memory.
 *
 * Keys are kept as two independent 32-bit FNV-1a hashes (64 bits). Two distinct keys collide
 * with a probability near n² / 2^65 (about 3 in 100 million for 2 million keys). A collision
 * errs towards an exception: a line is reported as a duplicate for an operator, or a payment is
 * taken as mentioned; it never settles anything twice (settlement ids guard that in the ledger).
 */
export interface KeyTable {
  get(key: string): number | undefined;
  set(key: string, value: number): unknown;
  has(key: string): boolean;
}

const EMPTY = 0;
const KEYS_MAX = 64 * 1024 * 1024;

function hash(key: string, seed: number): number {
  let value = seed;
  for (let index = 0; index < key.length; index += 1) {
    value ^= key.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  // 0 marks an empty slot; shift real zeros away from it.
  return value >>> 0 || 1;
}

export class CompactKeyTable implements KeyTable {
  private high: Uint32Array;
  private low: Uint32Array;
  private values: Float64Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The slot holding the key, or the empty slot where it would go (linear probing). */
  private slotOf(high: number, low: number): number {
    const mask = this.high.length - 1;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & mask;
    for (let probe = 0; probe <= mask; probe += 1) {
      const stored = this.high[slot];
      if (stored === EMPTY || (stored === high && this.low[slot] === low)) return slot;
      slot = (slot + 1) & mask;
    }
    throw new Error('compact key table is full');
  }

  get(key: string): number | undefined {
    const high = hash(key, 0x811c9dc5);
    const low = hash(key, 0x050c5d1f);
    const slot = this.slotOf(high, low);
    return this.high[slot] === EMPTY ? undefined : this.values[slot];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: number): this {
    const high = hash(key, 0x811c9dc5);
    const low = hash(key, 0x050c5d1f);
    let slot = this.slotOf(high, low);
    if (this.high[slot] === EMPTY) {
      if ((this.count + 1) * 2 > this.high.length) {
        this.grow();
        slot = this.slotOf(high, low);
      }
      this.count += 1;
      this.high[slot] = high;
      this.low[slot] = low;
    }
    this.values[slot] = value;
    return this;
  }

  private grow(): void {
    if (this.count >= KEYS_MAX) throw new Error(`more than ${KEYS_MAX} keys in one run`);
    const { high, low, values } = this;
    this.high = new Uint32Array(high.length * 2);
    this.low = new Uint32Array(high.length * 2);
    this.values = new Float64Array(high.length * 2);
    for (let slot = 0; slot < high.length; slot += 1) {
      const stored = high[slot] ?? EMPTY;
      if (stored === EMPTY) continue;
      const target = this.slotOf(stored, low[slot] ?? 0);
      this.high[target] = stored;
      this.low[target] = low[slot] ?? 0;
      this.values[target] = values[slot] ?? 0;
    }
  }
}
