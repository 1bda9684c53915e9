// Negative sampling distributions: unigram^0.75 (Mikolov et al. 2013) over every token for
// metapath2vec, and one per node type for metapath2vec++ (the paper's heterogeneous negative
// sampling: negatives of a context node of type t are nodes of type t). Alias tables (Walker
// 1977) draw in constant time, whatever the vocabulary size.
import type { SkipGramVocab } from './types.ts';

export interface AliasTable {
  /** token of each slot */
  tokens: Int32Array;
  /** probability of keeping the slot's own token rather than its alias */
  keep: Float64Array;
  alias: Int32Array;
}

/** An alias table over `tokens` with weights count^0.75; null when every weight is zero. */
export function aliasTable(tokens: Int32Array, counts: Float64Array): AliasTable | null {
  const n = tokens.length;
  const weight = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    weight[k] = counts[tokens[k]] ** 0.75;
    total += weight[k];
  }
  if (n === 0 || total === 0) return null;
  const keep = new Float64Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let k = 0; k < n; k++) {
    keep[k] = (weight[k] * n) / total;
    (keep[k] < 1 ? small : large).push(k);
  }
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    alias[s] = l;
    keep[l] -= 1 - keep[s];
    (keep[l] < 1 ? small : large).push(l);
  }
  // what is left is 1 up to rounding
  for (const k of [...small, ...large]) {
    keep[k] = 1;
    alias[k] = k;
  }
  return { tokens, keep, alias };
}

/** Draws a token; u1, u2 uniform in [0, 1). */
export function drawAlias(table: AliasTable, u1: number, u2: number): number {
  const slot = Math.floor(u1 * table.tokens.length);
  return table.tokens[u2 < table.keep[slot] ? slot : table.alias[slot]];
}

/**
 * The noise table(s) of a variant: one for plain; for plusplus one per type (null for a type with
 * no token), indexed by the context token's type.
 */
export function noiseTables(vocab: SkipGramVocab, variant: 'plain' | 'plusplus'): (AliasTable | null)[] {
  if (variant === 'plain') {
    return [
      aliasTable(
        Int32Array.from({ length: vocab.size }, (_, k) => k),
        vocab.counts,
      ),
    ];
  }
  const byType: number[][] = Array.from({ length: vocab.types }, () => []);
  for (let k = 0; k < vocab.size; k++) byType[vocab.typeOf[k]].push(k);
  return byType.map((tokens) => aliasTable(Int32Array.from(tokens), vocab.counts));
}
