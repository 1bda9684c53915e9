/**
 * The ArrayBuffers inside a message (typed arrays, DataViews, bare ArrayBuffers in plain objects
 * and arrays), so postMessage moves them instead of copying. Only buffers a view covers entirely
 * are moved: a partial view usually shares its buffer with other data the sender still uses
 * (Node's Buffer pool, a slab of rows), and moving would detach all of it.
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  collect(value, found, 0);
  return [...found];
}

// Deep enough for {result: {vectors: [Float32Array]}}; deeper payloads are copied, not lost.
const maxDepth = 6;

function collect(value: unknown, found: Set<ArrayBuffer>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > maxDepth) return;
  if (value instanceof ArrayBuffer) {
    found.add(value);
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) {
      found.add(buffer);
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, found, depth + 1);
    return;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return;
  for (const item of Object.values(value)) collect(item, found, depth + 1);
}
