/** Integer keys below this are looked up in a flat array (4 bytes each, grown as keys appear). */
const arrayKeys = 1 << 22;

const canonical = /^(0|[1-9]\d{0,14})$/;

/**
 * The idx of every user (or item) seen so far, by key. Most logs number their users and items,
 * and a flat array indexed by the number costs a fraction of hashing a fresh string per field, so
 * keys that are canonical integers ("42", never "042") are kept by number; their string is
 * `String(n)`, so both lookups agree on which entity a key names.
 */
export class EntityKeys {
  /** idx + 1 by integer key; 0 for unseen */
  private byArray = new Int32Array(1024);
  private readonly byNumber = new Map<number, number>();
  private readonly byString = new Map<string, number>();

  /** `create` makes the entity for a key seen for the first time and returns its idx. */
  constructor(private readonly create: (key: string) => number) {}

  /** The idx of a key given as a canonical non-negative integer (see canonicalInteger). */
  ofInteger(n: number): number {
    if (n < arrayKeys) {
      if (n < this.byArray.length) {
        const found = this.byArray[n];
        if (found !== 0) return found - 1;
      }
      return this.added(n, String(n));
    }
    return this.byNumber.get(n) ?? this.added(n, String(n));
  }

  /** The idx of a key given as a string (already trimmed and checked non-empty). */
  of(key: string): number {
    if (canonical.test(key)) return this.ofInteger(Number(key));
    return this.byString.get(key) ?? this.added(-1, key);
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  /** Records an entity created elsewhere (a described user or item). */
  set(key: string, idx: number): void {
    if (canonical.test(key)) this.remember(Number(key), idx);
    else this.byString.set(key, idx);
  }

  private find(key: string): number | undefined {
    if (!canonical.test(key)) return this.byString.get(key);
    const n = Number(key);
    if (n >= arrayKeys) return this.byNumber.get(n);
    return n < this.byArray.length && this.byArray[n] !== 0 ? this.byArray[n] - 1 : undefined;
  }

  /** `n` is the key as an integer, -1 when it is not one. */
  private added(n: number, key: string): number {
    const idx = this.create(key);
    if (n < 0) this.byString.set(key, idx);
    else this.remember(n, idx);
    return idx;
  }

  private remember(n: number, idx: number): void {
    if (n >= arrayKeys) {
      this.byNumber.set(n, idx);
      return;
    }
    if (n >= this.byArray.length) {
      const grown = new Int32Array(Math.min(arrayKeys, Math.max(n + 1, this.byArray.length * 2)));
      grown.set(this.byArray);
      this.byArray = grown;
    }
    this.byArray[n] = idx + 1;
  }
}
