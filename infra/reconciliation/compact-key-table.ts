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

/** Words per slot: high hash, low hash, value, side by side so a probe touches one cache line. */
const STRIDE = 3;

export class CompactKeyTable implements KeyTable {
  private slots: Uint32Array;
  private count = 0;
  // The last key hashed: `set` right after `get` of the same key hashes it once.
  private lastKey: string | undefined;
  private lastHigh = 0;
  private lastLow = 0;

  constructor(capacity = 1 << 16) {
    this.slots = new Uint32Array(capacity * STRIDE);
  }

  get size(): number {
    return this.count;
  }

  private get capacity(): number {
    return this.slots.length / STRIDE;
  }

  /** Both 32-bit FNV-1a hashes of a key, in one pass over it; 0 marks an empty slot. */
  private hash(key: string): void {
    if (key === this.lastKey) return;
    let high = 0x811c9dc5;
    let low = 0x050c5d1f;
    for (let index = 0; index < key.length; index += 1) {
      const code = key.charCodeAt(index);
      high = Math.imul(high ^ code, 0x01000193);
      low = Math.imul(low ^ code, 0x01000193);
    }
    // Shift real zeros away from the empty mark.
    this.lastHigh = high >>> 0 || 1;
    this.lastLow = low >>> 0 || 1;
    this.lastKey = key;
  }

  /** The slot holding the key, or the empty slot where it would go (linear probing). */
  private slotOf(high: number, low: number): number {
    const mask = this.capacity - 1;
    let slot = (high ^ Math.imul(low, 0x9e3779b1)) & mask;
    for (let probe = 0; probe <= mask; probe += 1) {
      const stored = this.slots[slot * STRIDE];
      if (stored === EMPTY || (stored === high && this.slots[slot * STRIDE + 1] === low)) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    throw new Error('compact key table is full');
  }

  get(key: string): number | undefined {
    this.hash(key);
    const at = this.slotOf(this.lastHigh, this.lastLow) * STRIDE;
    return this.slots[at] === EMPTY ? undefined : this.slots[at + 2];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The key's value if it has one; otherwise sets it to `value`. One probe for both. */
  claim(key: string, value: number): number | undefined {
    this.hash(key);
    const at = this.slotOf(this.lastHigh, this.lastLow) * STRIDE;
    if (this.slots[at] !== EMPTY) return this.slots[at + 2];
    this.insert(at, value);
    return undefined;
  }

  /** `value` is a non-negative integer below 2^32 (line numbers). */
  set(key: string, value: number): this {
    if (value >>> 0 !== value) throw new RangeError(`key table values are uint32, not ${value}`);
    this.hash(key);
    const at = this.slotOf(this.lastHigh, this.lastLow) * STRIDE;
    if (this.slots[at] === EMPTY) this.insert(at, value);
    else this.slots[at + 2] = value;
    return this;
  }

  /** Puts the last hashed key in the empty slot found for it (or its new one after growing). */
  private insert(emptyAt: number, value: number): void {
    if (value >>> 0 !== value) throw new RangeError(`key table values are uint32, not ${value}`);
    let at = emptyAt;
    if ((this.count + 1) * 2 > this.capacity) {
      this.grow();
      at = this.slotOf(this.lastHigh, this.lastLow) * STRIDE;
    }
    this.count += 1;
    this.slots[at] = this.lastHigh;
    this.slots[at + 1] = this.lastLow;
    this.slots[at + 2] = value;
  }

  private grow(): void {
    if (this.count >= KEYS_MAX) throw new Error(`more than ${KEYS_MAX} keys in one run`);
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += STRIDE) {
      const high = old[at] ?? EMPTY;
      if (high === EMPTY) continue;
      const low = old[at + 1] ?? 0;
      const target = this.slotOf(high, low) * STRIDE;
      this.slots[target] = high;
      this.slots[target + 1] = low;
      this.slots[target + 2] = old[at + 2] ?? 0;
    }
  }
}
