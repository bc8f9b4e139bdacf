// The eight wizard steps as the core names and describes them: the catalogue is generated from
// src-tauri/core/src/hotfix/steps/mod.rs (bindings/stepCatalog.ts), so titles and descriptions have
// one source. Which steps have a screen in this version is the step registry's business
// (registry.ts); the run's own progress list gives each step's state.

import { STEP_CATALOG } from '../bindings/stepCatalog';
import type { StepId } from '../bindings/StepId';
import type { StepMeta } from '../bindings/StepMeta';
import type { HotfixRun, StepState } from './types';

export type { StepId, StepMeta };

/** 1-based step position, as the user reads "step 2" (and as test ids name the rail rows). */
export type StepNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export const STEPS: readonly StepMeta[] = STEP_CATALOG;

export function stepInfo(id: StepId): StepMeta {
  const s = STEPS.find((m) => m.id === id);
  if (!s) throw new Error(`no wizard step ${id}`);
  return s;
}

export function stepNumber(id: StepId): StepNumber {
  return stepInfo(id).number as StepNumber;
}

export function stepAt(n: number): StepMeta | undefined {
  return STEPS.find((m) => m.number === n);
}

/** The state of step `id` in `run` ('pending' when the run does not list it). */
export function stepState(run: HotfixRun, id: StepId): StepState {
  return run.progress.find((s) => s.id === id)?.state ?? 'pending';
}
