// Agreement between a clustering and the true classes: NMI (arithmetic normalisation, as
// scikit-learn's normalized_mutual_info_score) and the adjusted Rand index (Hubert & Arabie 1985).

function largest(labels: Int32Array): number {
  let max = -1;
  for (const label of labels) {
    if (label < 0) throw new RangeError(`labels must be >= 0, got ${label}`);
    if (label > max) max = label;
  }
  return max;
}

function contingency(a: Int32Array, b: Int32Array) {
  if (a.length !== b.length) throw new RangeError(`${a.length} labels against ${b.length}`);
  const ka = largest(a) + 1;
  const kb = largest(b) + 1;
  const table = new Float64Array(ka * kb);
  const rows = new Float64Array(ka);
  const cols = new Float64Array(kb);
  for (let i = 0; i < a.length; i++) {
    table[a[i] * kb + b[i]]++;
    rows[a[i]]++;
    cols[b[i]]++;
  }
  return { table, rows, cols, ka, kb, n: a.length };
}

function entropy(counts: Float64Array, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Normalised mutual information, MI / mean(H(a), H(b)); 1 when both are one same cluster. */
export function nmi(a: Int32Array, b: Int32Array): number {
  const { table, rows, cols, ka, kb, n } = contingency(a, b);
  if (n === 0) return 0;
  const ha = entropy(rows, n);
  const hb = entropy(cols, n);
  if (ha === 0 && hb === 0) return 1;
  let mi = 0;
  for (let i = 0; i < ka; i++) {
    for (let j = 0; j < kb; j++) {
      const c = table[i * kb + j];
      if (c > 0) mi += (c / n) * Math.log((c * n) / (rows[i] * cols[j]));
    }
  }
  return Math.max(0, mi) / ((ha + hb) / 2);
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Adjusted Rand index: 1 for identical partitions, 0 in expectation for random ones. */
export function ari(a: Int32Array, b: Int32Array): number {
  const { table, rows, cols, n } = contingency(a, b);
  let index = 0;
  for (const c of table) index += pairs(c);
  let sumRows = 0;
  for (const r of rows) sumRows += pairs(r);
  let sumCols = 0;
  for (const c of cols) sumCols += pairs(c);
  const expected = (sumRows * sumCols) / pairs(n);
  const max = (sumRows + sumCols) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
