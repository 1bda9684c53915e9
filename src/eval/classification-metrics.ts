// F1 scores of a multi-class prediction, as scikit-learn's f1_score(average='macro' | 'micro').

/** counts[t * classes + p]: samples of true class t predicted as p. */
export function confusion(truth: Int32Array, predicted: Int32Array, classes: number): Float64Array {
  if (truth.length !== predicted.length) {
    throw new RangeError(`confusion: ${truth.length} true labels but ${predicted.length} predictions`);
  }
  const counts = new Float64Array(classes * classes);
  for (let i = 0; i < truth.length; i++) counts[truth[i] * classes + predicted[i]]++;
  return counts;
}

/**
 * Macro-F1: the mean over classes of 2TP / (2TP + FP + FN); a class absent from both truth and
 * prediction is left out of the mean, one with no true positive scores 0 (scikit-learn's
 * zero_division=0 on the labels present).
 */
export function macroF1(truth: Int32Array, predicted: Int32Array, classes: number): number {
  const counts = confusion(truth, predicted, classes);
  let sum = 0;
  let present = 0;
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let actual = 0;
    let guessed = 0;
    for (let k = 0; k < classes; k++) {
      actual += counts[c * classes + k];
      guessed += counts[k * classes + c];
    }
    tp = counts[c * classes + c];
    if (actual + guessed === 0) continue;
    present++;
    sum += (2 * tp) / (actual + guessed);
  }
  return present === 0 ? 0 : sum / present;
}

/** Micro-F1: pooled over classes; for single-label multi-class prediction it equals accuracy. */
export function microF1(truth: Int32Array, predicted: Int32Array): number {
  if (truth.length === 0) return 0;
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) correct++;
  return correct / truth.length;
}
