// The step registry: which steps have a screen in this version, keyed by StepId. The rail shows the
// others as "upcoming" (with the core's description), and the wizard never opens them. Adding a
// step's screen = one entry here; its title and description already come from the core.

import type { Component } from 'svelte';
import Step1Release from './Step1Release.svelte';
import Step2Branch from './Step2Branch.svelte';
import Step3Fix from './Step3Fix.svelte';
import Step4Pipeline from './Step4Pipeline.svelte';
import Step7MergeBack from './Step7MergeBack.svelte';
import Step8Cleanup from './Step8Cleanup.svelte';
import { STEPS, type StepId } from './steps';
import type { HotfixRun } from './types';

/** What every step screen gets from the wizard. */
export interface StepScreenProps {
  run: HotfixRun;
  /** The back end answered with a newer run. */
  onrun: (run: HotfixRun) => void;
  /** The user wants to go on to the next step. */
  oncontinue: () => void;
}

export const SCREENS: Partial<Record<StepId, Component<StepScreenProps>>> = {
  release: Step1Release,
  branch: Step2Branch,
  fix: Step3Fix,
  pipeline: Step4Pipeline,
  mergeBack: Step7MergeBack,
  cleanup: Step8Cleanup,
};

export function hasScreen(id: StepId): boolean {
  return SCREENS[id] !== undefined;
}

/** The last step, in wizard order, that has a screen. */
export function lastScreen(): StepId {
  const withScreens = STEPS.filter((s) => hasScreen(s.id));
  const last = withScreens[withScreens.length - 1];
  if (!last) throw new Error('no step has a screen');
  return last.id;
}

/** The step to show for `id`: itself when it has a screen, else the last one before it that has. */
export function screenFor(id: StepId): StepId {
  const n = STEPS.find((s) => s.id === id)?.number ?? 1;
  const candidates = STEPS.filter((s) => s.number <= n && hasScreen(s.id));
  return candidates[candidates.length - 1]?.id ?? 'release';
}
