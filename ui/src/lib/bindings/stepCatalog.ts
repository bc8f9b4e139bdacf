// Generated from src-tauri/core/src/hotfix/steps/mod.rs (CATALOG) by `cargo test export_bindings`. Do not edit.
import type { StepMeta } from './StepMeta';

export const STEP_CATALOG: readonly StepMeta[] = [
  {
    "id": "release",
    "number": 1,
    "title": "What runs in production",
    "description": "Pick the release deployed in production and resolve the exact commit of its source code."
  },
  {
    "id": "branch",
    "number": 2,
    "title": "Hotfix branch",
    "description": "Create the hotfix branch from that commit, or reuse it if it already exists."
  },
  {
    "id": "fix",
    "number": 3,
    "title": "Fix",
    "description": "Fix in Synapse Studio on the hotfix branch; review the changes and the deploy plan."
  },
  {
    "id": "pipeline",
    "number": 4,
    "title": "Hotfix pipeline",
    "description": "Check the prerequisites and create or reuse the Production_Hotfix release pipeline."
  },
  {
    "id": "deploy",
    "number": 5,
    "title": "Deploy",
    "description": "Confirm by typing the production workspace name, then deploy the fix commit with live progress."
  },
  {
    "id": "confirm",
    "number": 6,
    "title": "Confirm",
    "description": "Verify every task succeeded, triggers run again in production and main is unchanged."
  },
  {
    "id": "mergeBack",
    "number": 7,
    "title": "Merge back",
    "description": "Open pull requests into main and the feature branches you pick, with a conflict preview."
  },
  {
    "id": "cleanup",
    "number": 8,
    "title": "Clean up",
    "description": "Delete hotfix branches whose release is no longer the one in production."
  }
];
