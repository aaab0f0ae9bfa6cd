// The model kinds the contract suite runs and what each one can do, from the registry: a new kind
// gets every contract check by adding its registry row. Every use of the registry in
// test/contract goes through this module.
import { createModel, MODEL_KINDS, modelKindInfo as registryInfo, type FactorModel, type ModelKind, type ModelSpec } from '../../src/index.js';

export { MODEL_KINDS };
export type { ModelKind };

/** A registry row as the suite sees it: task, capabilities and the example settings it fits with. */
export type KindInfo = ReturnType<typeof registryInfo>;

/** A kind's registry row: task, capabilities and the small settings it fits with (its `example`). */
export function modelKindInfo(kind: ModelKind): KindInfo {
  return registryInfo(kind);
}

export const ENGINES = ['wasm', 'js'] as const;
export type Engine = (typeof ENGINES)[number];

/** A model of the kind with its example settings on `engine`; `overrides` win over the example. */
export function makeModel(info: KindInfo, engine: Engine, overrides: ModelSpec = {}): FactorModel {
  return createModel({ ...(info.example as ModelSpec), ...overrides, model: info.kind, engine });
}
