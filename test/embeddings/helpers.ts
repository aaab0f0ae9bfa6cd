// Shared helpers for the embedding tests (not a test file).
import type { EmbeddingMatrix } from '../../src/eval/embeddings.js';
import { normals } from '../prng.js';

export { mulberry32, normals } from '../prng.js';

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
