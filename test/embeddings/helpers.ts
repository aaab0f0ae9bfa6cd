// Shared helpers for the embedding tests (not a test file).
import type { EmbeddingMatrix } from '../../src/eval/embeddings.js';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normals by Box-Muller. */
export function normals(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export function fromRows(rows: ReadonlyArray<ReadonlyArray<number>>): EmbeddingMatrix {
  const k = rows.length === 0 ? 0 : rows[0]!.length;
  return { rows: rows.length, k, data: Float32Array.from(rows.flat()) };
}

export function gaussian(rows: number, k: number, seed: number): EmbeddingMatrix {
  const g = normals(seed);
  return { rows, k, data: Float32Array.from({ length: rows * k }, () => g()) };
}

/** Row r of the matrix, in f64 (the exact f32 values). */
export function row(m: EmbeddingMatrix, r: number): number[] {
  return Array.from(m.data.subarray(r * m.k, (r + 1) * m.k));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + v * b[i]!, 0);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}
