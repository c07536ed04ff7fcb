/**
 * A string → integer table in typed arrays, for the per-run sets that grow with the report
 * (lines seen, payments touched): 12 bytes per slot, 24 to 48 per key with the load kept at
 * most half, instead of the ~100 a Map<string> costs, so a million-line run stays in bounded,
 * predictable memory.
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

/** Both 32-bit FNV-1a hashes of a key, in one pass over it; 0 marks an empty slot. */
const hashes = { high: 0, low: 0 };

function hashKey(key: string): void {
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let index = 0; index < key.length; index += 1) {
    const code = key.charCodeAt(index);
    high = Math.imul(high ^ code, 0x01000193);
    low = Math.imul(low ^ code, 0x01000193);
  }
  // Shift real zeros away from the empty mark.
  hashes.high = high >>> 0 || 1;
  hashes.low = low >>> 0 || 1;
}

export class CompactKeyTable implements KeyTable {
  private high: Uint32Array;
  private low: Uint32Array;
  private values: Uint32Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.high = new Uint32Array(capacity);
    this.low = new Uint32Array(capacity);
    this.values = new Uint32Array(capacity);
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
    hashKey(key);
    const slot = this.slotOf(hashes.high, hashes.low);
    return this.high[slot] === EMPTY ? undefined : this.values[slot];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** `value` is a non-negative integer below 2^32 (line numbers). */
  set(key: string, value: number): this {
    if (value >>> 0 !== value) throw new RangeError(`key table values are uint32, not ${value}`);
    hashKey(key);
    const { high, low } = hashes;
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
    this.values = new Uint32Array(high.length * 2);
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
