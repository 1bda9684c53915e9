// Similarity search over an embedding matrix: the k rows most similar to a query by cosine.

export interface Neighbour {
  row: number;
  similarity: number;
}

/**
 * The k rows of `vectors` (rows x dim) closest in cosine to row `query`, itself excluded, best
 * first; `allowed(row)` restricts the candidates (one node type). Zero vectors have similarity 0.
 */
export function cosineNeighbours(
  vectors: Float32Array,
  dim: number,
  query: number,
  k: number,
  allowed: (row: number) => boolean = () => true,
): Neighbour[] {
  const rows = vectors.length / dim;
  const norm = (r: number) => {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[r * dim + d] ** 2;
    return Math.sqrt(s);
  };
  const queryNorm = norm(query);
  const best: Neighbour[] = [];
  for (let r = 0; r < rows; r++) {
    if (r === query || !allowed(r)) continue;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += vectors[query * dim + d] * vectors[r * dim + d];
    const denominator = queryNorm * norm(r);
    const similarity = denominator > 0 ? dot / denominator : 0;
    if (best.length === k && similarity <= best[k - 1].similarity) continue;
    // insertion into a sorted list of at most k: k is small (tens), rows are many
    let at = best.length;
    while (at > 0 && best[at - 1].similarity < similarity) at--;
    best.splice(at, 0, { row: r, similarity });
    if (best.length > k) best.pop();
  }
  return best;
}
