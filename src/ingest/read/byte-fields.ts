// Fields read straight from the bytes of a line, without a string per field: on a 5M-row log,
// decoding and splitting every line into strings was most of the reader's time and garbage.
// Each function handles only the plain shapes and says so (-1 / NaN); the caller then takes the
// string path, which has the full rules and the error messages.

const quote = 0x22;
const zero = 0x30;
const nine = 0x39;
const minus = 0x2d;

/**
 * Splits `bytes[start, end)` at the byte `delimiter`: field k spans bounds[2k] to bounds[2k+1].
 * Returns the number of fields, or -1 when the line has more than `bounds.length / 2` of them or
 * (with `quotes`) holds a double quote, which only the quoting parser reads right.
 */
export function splitFields(
  bytes: Uint8Array,
  start: number,
  end: number,
  delimiter: number,
  quotes: boolean,
  bounds: Int32Array,
): number {
  const max = bounds.length >> 1;
  let fields = 0;
  let fieldStart = start;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b === delimiter) {
      if (fields === max - 1) return -1;
      bounds[2 * fields] = fieldStart;
      bounds[2 * fields + 1] = i;
      fields++;
      fieldStart = i + 1;
    } else if (b === quote && quotes) return -1;
  }
  bounds[2 * fields] = fieldStart;
  bounds[2 * fields + 1] = end;
  return fields + 1;
}

/** Digits that are exact as a double: 15 of them cover every integer id and unix time in practice. */
const maxDigits = 15;

/**
 * A key written as a canonical non-negative integer ("0", "42", not "042", "+4" or " 4"), whose
 * decimal string is then exactly `String(value)`; -1 for anything else.
 */
export function canonicalInteger(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0 || length > maxDigits) return -1;
  if (bytes[start] === zero && length > 1) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - zero;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** An integer with an optional minus sign, as Number() reads it; NaN for anything else (decimals, spaces, empty). */
export function plainInteger(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = i < end && bytes[i] === minus;
  if (negative) i++;
  if (i === end || end - i > maxDigits) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const b = bytes[i];
    if (b < zero || b > nine) return Number.NaN;
    value = value * 10 + (b - zero);
  }
  return negative ? -value : value;
}
