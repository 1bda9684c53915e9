// The noise distributions of negative sampling (models/metapath2vec/noise.ts: alias tables of
// unigram^0.75 over all tokens and per type) packed into the flat arrays the kernel reads. An
// alias draw is O(1) with one random number, where gensim's cumulative table needs a binary
// search and word2vec's 1e8-entry table 400 MB; here each segment costs 12 bytes per token.
import { type AliasTable, aliasTable } from '../../models/metapath2vec/noise.ts';
import type { SkipGramVocab } from '../../models/metapath2vec/types.ts';

export interface NoiseTables {
  /** slot threshold: a coin below it keeps the slot's own token */
  prob: Float32Array;
  /** the slot's own token id */
  primary: Int32Array;
  /** the token drawn when the coin is at or above the threshold */
  alias: Int32Array;
  /**
   * segment bounds: plain is slots [bounds[0], bounds[1]); type t is [bounds[t + 1], bounds[t + 2]).
   * A segment whose tokens all have count 0 is empty: its contexts get no negatives, as in the
   * reference trainer.
   */
  bounds: Int32Array;
}

/** The plain table and one table per type, both variants' segments in one set of arrays. */
export function packNoiseTables(vocab: SkipGramVocab): NoiseTables {
  const { size, typeOf, types } = vocab;
  const members: number[][] = Array.from({ length: types }, () => []);
  for (let v = 0; v < size; v++) members[typeOf[v]].push(v);
  const segments = [
    aliasTable(
      Int32Array.from({ length: size }, (_, v) => v),
      vocab.counts,
    ),
    ...members.map((tokens) => aliasTable(Int32Array.from(tokens), vocab.counts)),
  ];
  const packed: NoiseTables = {
    prob: new Float32Array(2 * size),
    primary: new Int32Array(2 * size),
    alias: new Int32Array(2 * size),
    bounds: new Int32Array(types + 2),
  };
  let at = 0;
  segments.forEach((table, s) => {
    if (table) pack(packed, at, table);
    at += table ? table.tokens.length : 0;
    packed.bounds[s + 1] = at;
  });
  return packed;
}

function pack(packed: NoiseTables, at: number, table: AliasTable): void {
  for (let slot = 0; slot < table.tokens.length; slot++) {
    // keep = 1 must win over every coin in [0, 1) after rounding to float32
    packed.prob[at + slot] = table.keep[slot] >= 1 ? 2 : table.keep[slot];
    packed.primary[at + slot] = table.tokens[slot];
    packed.alias[at + slot] = table.tokens[table.alias[slot]];
  }
}
