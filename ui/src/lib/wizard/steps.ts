// The eight wizard steps as the rail shows them. Steps 1–3 have screens; 4–8 are built later and are
// listed so the user sees the whole journey (named, described, not clickable). The run's own step
// list (titles, states) comes from the back end; this adds the one-line descriptions the UI shows.

export type StepNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

export interface StepMeta {
  readonly number: StepNumber;
  readonly title: string;
  /** One line saying what the step does (or will do). */
  readonly description: string;
  /** True when this version of the app has a screen for the step. */
  readonly available: boolean;
}

export const STEPS: readonly StepMeta[] = [
  {
    number: 1,
    title: 'Find what runs in production',
    description: 'Pick the release deployed in production and resolve the exact commit of its source code.',
    available: true,
  },
  {
    number: 2,
    title: 'Branch from it',
    description: 'Create the hotfix branch from that commit, or reuse it if it already exists.',
    available: true,
  },
  {
    number: 3,
    title: 'Fix',
    description: 'Fix in Synapse Studio on the hotfix branch; review the changes and the deploy plan.',
    available: true,
  },
  {
    number: 4,
    title: 'Hotfix pipeline',
    description: 'Check the prerequisites and create or reuse the Production_Hotfix release pipeline.',
    available: false,
  },
  {
    number: 5,
    title: 'Deploy',
    description: 'Confirm by typing the production workspace name, then deploy the fix commit with live progress.',
    available: false,
  },
  {
    number: 6,
    title: 'Confirm',
    description: 'Verify every task succeeded, triggers run again in production and main is unchanged.',
    available: false,
  },
  {
    number: 7,
    title: 'Merge back',
    description: 'Open pull requests into main and the feature branches you pick, with a conflict preview.',
    available: false,
  },
  {
    number: 8,
    title: 'Clean up',
    description: 'Delete hotfix branches whose release is no longer the one in production.',
    available: false,
  },
];

export function stepInfo(n: StepNumber): StepMeta {
  const s = STEPS[n - 1];
  if (!s) throw new Error(`no wizard step ${n}`);
  return s;
}
