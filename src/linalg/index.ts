// Small dense f64 linear algebra for the randomized truncated SVD. All matrices are row-major
// ({ rows, cols, data: Float64Array }, element (i, j) at data[i * cols + j]).

export {
  type Dense,
  LinalgError,
  assertFinite,
  fromData,
  fromRows,
  gramCols,
  gramRows,
  identity,
  multiply,
  multiplyABt,
  multiplyAtB,
  transpose,
  zeros,
} from './dense.js';
export { orthonormalize, thinQR } from './qr.js';
export { type SymmetricEigen, type SymmetricEigenOptions, symmetricEigen } from './eigen.js';
export { type SmallSvd, type SmallSvdOptions, svdOfTall, svdOfWide } from './small-svd.js';
export { cholesky, solveSpd } from './cholesky.js';
