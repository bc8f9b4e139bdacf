/**
 * The only module that calls `invoke`. Every function is typed with the ts-rs bindings generated
 * from the Rust command types, and rejects with an `AppError` (never a bare string), so screens
 * can show `code`-specific help.
 *
 * Argument names are camelCase: Tauri maps them to the snake_case parameters of the commands.
 */
import { invoke } from '@tauri-apps/api/core';
import { toAppError } from './errors';
import type { AgentQueueItem } from './bindings/AgentQueueItem';
import type { AppInfo } from './bindings/AppInfo';
import type { RetryWait } from './bindings/RetryWait';
import type { ConnectionReport } from './bindings/ConnectionReport';
import type { ConnectionTarget } from './bindings/ConnectionTarget';
import type { DemoStatus } from './bindings/DemoStatus';
import type { FieldIssue } from './bindings/FieldIssue';
import type { ImportReport } from './bindings/ImportReport';
import type { Profile } from './bindings/Profile';
import type { ProfileExported } from './bindings/ProfileExported';
import type { ProfileList } from './bindings/ProfileList';
import type { ProjectItem } from './bindings/ProjectItem';
import type { PublishBranchInfo } from './bindings/PublishBranchInfo';
import type { ReleaseDefinitionItem } from './bindings/ReleaseDefinitionItem';
import type { RepositoryItem } from './bindings/RepositoryItem';
import type { ScopeCheck } from './bindings/ScopeCheck';
import type { ServiceConnectionItem } from './bindings/ServiceConnectionItem';
import type { SignInAccount } from './bindings/SignInAccount';
import type { SignInMethod } from './bindings/SignInMethod';
import type { SignInStatus } from './bindings/SignInStatus';
import type { TokenSaved } from './bindings/TokenSaved';
import type { TokenStatus } from './bindings/TokenStatus';

export type {
  AgentQueueItem,
  AppInfo,
  ConnectionReport,
  ConnectionTarget,
  DemoStatus,
  FieldIssue,
  ImportReport,
  Profile,
  ProfileExported,
  ProfileList,
  ProjectItem,
  PublishBranchInfo,
  ReleaseDefinitionItem,
  RepositoryItem,
  RetryWait,
  ScopeCheck,
  ServiceConnectionItem,
  SignInAccount,
  SignInMethod,
  SignInStatus,
  TokenSaved,
  TokenStatus,
};

/** `invoke` with every rejection normalised into an `AppError`. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toAppError(error);
  }
}

// --- profiles ---------------------------------------------------------------------------------

/** Every saved profile, and warnings about `profiles.json` (moved aside, newer version). */
export const listProfiles = () => call<ProfileList>('list_profiles');
/** The user has read the profiles-file warnings. */
export const dismissProfileWarnings = () => call<null>('dismiss_profile_warnings');
export const getProfile = (profileId: string) => call<Profile>('get_profile', { profileId });
/** A new, unsaved profile with the documented defaults (empty id: saving gives it one). */
export const newProfile = () => call<Profile>('new_profile');
/** Problems with the fields of `profile`, one per field (empty = valid). Sends nothing anywhere. */
export const validateProfile = (profile: Profile) =>
  call<FieldIssue[]>('validate_profile', { profile });
/** Creates or updates; rejects with `invalidInput` (detail = JSON `FieldIssue[]`) when invalid. */
export const saveProfile = (profile: Profile) => call<Profile>('save_profile', { profile });
/** Deletes the profile and its token. */
export const deleteProfile = (profileId: string) => call<null>('delete_profile', { profileId });
export const duplicateProfile = (profileId: string) =>
  call<Profile>('duplicate_profile', { profileId });
/** Writes the profile (never its token) as JSON to the exports folder; returns the file path. */
export const exportProfile = (profileId: string) =>
  call<ProfileExported>('export_profile', { profileId });
/** Imports the profiles of an export file's text; they get new ids when needed and no token. */
export const importProfiles = (json: string) => call<ImportReport>('import_profiles', { json });

// --- credentials ------------------------------------------------------------------------------

/** Stores the token in the OS keychain (or memory for this session, when there is none). */
export const setToken = (profileId: string, token: string) =>
  call<TokenSaved>('set_token', { profileId, token });
export const deleteToken = (profileId: string) => call<null>('delete_token', { profileId });
/** Whether a token is stored (the token itself never comes back). */
export const tokenStatus = (profileId: string) => call<TokenStatus>('token_status', { profileId });

// --- sign-in ----------------------------------------------------------------------------------
// Microsoft Entra ID in the system browser; the refresh token stays in the OS keychain and no
// token ever comes back to the UI.

/** Opens the sign-in page in the browser and resolves when it came back (or rejects: `timeout`,
 *  `cancelled`, `signInRefused`, `unreachable`, …). The profile must be saved first. */
export const signIn = (profileId: string) => call<SignInAccount>('sign_in', { profileId });
/** Stops a sign-in that waits for the browser; false when none waits. */
export const signInCancel = (profileId: string) => call<boolean>('sign_in_cancel', { profileId });
/** Removes the profile's refresh token from the keychain and its access tokens from memory. */
export const signOut = (profileId: string) => call<null>('sign_out', { profileId });
export const signInStatus = (profileId: string) => call<SignInStatus>('sign_in_status', { profileId });
/** The account `az login` signed in with (rejects with `notSignedIn` and what to do otherwise). */
export const azureCliAccount = () => call<SignInAccount>('azure_cli_account');

// --- connection and pickers -------------------------------------------------------------------
// `target` is the connection being edited: the token typed in the form (used for the call only) or
// the saved profile whose token to use.

export const testConnection = (target: ConnectionTarget, project: string | null = null) =>
  call<ConnectionReport>('test_connection', { target, project });
export const listProjects = (target: ConnectionTarget) =>
  call<ProjectItem[]>('list_projects', { target });
export const listRepositories = (target: ConnectionTarget, project: string) =>
  call<RepositoryItem[]>('list_repositories', { target, project });
export const listReleaseDefinitions = (target: ConnectionTarget, project: string) =>
  call<ReleaseDefinitionItem[]>('list_release_definitions', { target, project });
export const listServiceConnections = (target: ConnectionTarget, project: string) =>
  call<ServiceConnectionItem[]>('list_service_connections', { target, project });
export const listAgentQueues = (target: ConnectionTarget, project: string) =>
  call<AgentQueueItem[]>('list_agent_queues', { target, project });
export const readPublishBranch = (
  target: ConnectionTarget,
  project: string,
  repository: string,
  collaborationBranch: string,
) => call<PublishBranchInfo>('read_publish_branch', { target, project, repository, collaborationBranch });

// --- demo -------------------------------------------------------------------------------------

/** Starts the built-in simulator (idempotent) and returns the demo profile. */
export const demoStart = () => call<Profile>('demo_start');
/** Stops the simulator, deletes its saved state and starts a fresh one. */
export const demoReset = () => call<Profile>('demo_reset');
export const demoStatus = () => call<DemoStatus>('demo_status');

// --- system -----------------------------------------------------------------------------------

/** Called once when the UI has mounted; the back end logs `ui-ready` with the start-up time. */
export const appReady = () => call<null>('app_ready');
export const appInfo = () => call<AppInfo>('app_info');
/** Opens an Azure DevOps / Synapse address in the system browser (allowlisted by the back end). */
export const openUrl = (url: string) => call<null>('open_url', { url });

// --- hotfix run --- (commands in src-tauri/app/commands/hotfix.rs; argument names are the
// commands' parameters in camelCase, result types come from ./bindings)

import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { BranchNameCheck } from './bindings/BranchNameCheck';
import type { BranchPoll } from './bindings/BranchPoll';
import type { GitProgress } from './bindings/GitProgress';
import type { HotfixRun } from './bindings/HotfixRun';
import type { ProductionReleases } from './bindings/ProductionReleases';
import type { RunSummary } from './bindings/RunSummary';
import type { StudioLink } from './bindings/StudioLink';
import type { WatchProgress } from './bindings/WatchProgress';

/** Runs, newest first; unfinished only unless `includeFinished`. */
export const hotfixListRuns = (includeFinished = false) =>
  call<RunSummary[]>('hotfix_list_runs', { includeFinished });
export const hotfixGetRun = (runId: string) => call<HotfixRun>('hotfix_get_run', { runId });
/** Rejects with `precondition` (detail = the other run's id) when the profile + production
 *  workspace already has an unfinished run. */
export const hotfixStartRun = (profileId: string) =>
  call<HotfixRun>('hotfix_start_run', { profileId });
export const hotfixAbandonRun = (runId: string) => call<HotfixRun>('hotfix_abandon_run', { runId });
/** Step 1: the release deployed in production now and the previous ones. */
export const hotfixListProductionReleases = (runId: string, top = 10) =>
  call<ProductionReleases>('hotfix_list_production_releases', { runId, top });
/** Step 1: resolves the source artifact and full commit (or sets `run.artifactChoice`). */
export const hotfixSelectRelease = (runId: string, releaseId: number) =>
  call<HotfixRun>('hotfix_select_release', { runId, releaseId });
export const hotfixChooseArtifact = (runId: string, alias: string) =>
  call<HotfixRun>('hotfix_choose_artifact', { runId, alias });
/** Step 2: validates a branch name (null = the profile template's) and looks for existing refs. */
export const hotfixCheckBranchName = (runId: string, name: string | null) =>
  call<BranchNameCheck>('hotfix_check_branch_name', { runId, name });
/** Step 2: creates the branch or reuses it; `conflict` when the name points elsewhere. */
export const hotfixCreateBranch = (runId: string, name: string) =>
  call<HotfixRun>('hotfix_create_branch', { runId, name });
/** Step 3: where the fix is made (Synapse Studio, or the branch page in demo mode) and what to do there. */
export const hotfixStudioUrl = (runId: string) => call<StudioLink>('hotfix_studio_url', { runId });
/** Step 3: opens that address in the browser (allowlisted by the back end). */
export const hotfixOpenStudio = (runId: string) => call<StudioLink>('hotfix_open_studio', { runId });
/** Step 3: the branch head and new commits (the back end answers from cache within 5 s). */
export const hotfixPollBranch = (runId: string) => call<BranchPoll>('hotfix_poll_branch', { runId });
/** Step 3: the changes since the release commit and the deploy plan. */
export const hotfixRefreshChanges = (runId: string) =>
  call<HotfixRun>('hotfix_refresh_changes', { runId });
export const hotfixCompleteFix = (runId: string, acknowledgeWarnings: boolean) =>
  call<HotfixRun>('hotfix_complete_fix', { runId, acknowledgeWarnings });
/** Step 4: runs the pre-flight checks; the report is `run.steps.pipeline.preflight`. */
export const pipelinePreflight = (runId: string) =>
  call<HotfixRun>('hotfix_pipeline_preflight', { runId });
/**
 * Step 4: the definition as it will be saved (`run.steps.pipeline.preview`); re-runs out-of-date
 * checks first. Rejects with `precondition` when a check fails (the report is saved on the run).
 */
export const pipelinePreview = (runId: string) =>
  call<HotfixRun>('hotfix_pipeline_preview', { runId });
/**
 * Step 4: saves the previewed definition. `expectedRevision` is the preview's `revision` the user
 * confirmed (null for a new one). When someone changed it meanwhile nothing is saved and
 * `run.steps.pipeline.stale` shows what changed, with the new preview to confirm.
 */
export const pipelineSave = (runId: string, expectedRevision: number | null) =>
  call<HotfixRun>('hotfix_pipeline_save', { runId, expectedRevision });
/** Step 7: fetches the profile's cached clone and lists the targets (`run.steps.mergeBack.listing`). */
export const mergeBackListTargets = (runId: string) =>
  call<HotfixRun>('hotfix_merge_back_list_targets', { runId });
/** Step 7: ticks `targets` (branch names from the listing) and computes their conflict preview. */
export const mergeBackPreview = (runId: string, targets: string[]) =>
  call<HotfixRun>('hotfix_merge_back_preview', { runId, targets });
/**
 * Step 7: opens (or finds) one pull request per ticked target lacking the fix; `workItems` are
 * linked to new ones. Rejects with `conflict` when a target branch was deleted (the targets are
 * listed again on the run).
 */
export const mergeBackOpenPrs = (runId: string, workItems: number[]) =>
  call<HotfixRun>('hotfix_merge_back_open_prs', { runId, workItems });
/** Step 7: reads the pull requests again (answered from the run within 5 s of the last read). */
export const mergeBackRefresh = (runId: string) => call<HotfixRun>('hotfix_merge_back_refresh', { runId });
/** Step 7: tags the deployed fix commit with the profile's template (idempotent). */
export const mergeBackTag = (runId: string) => call<HotfixRun>('hotfix_merge_back_tag', { runId });

/** Demo profiles only: pushes a sample fix as Synapse Studio would; returns the commit id. */
export const hotfixDemoPushSampleFix = (runId: string) =>
  call<string>('hotfix_demo_push_sample_fix', { runId });

/** The latest progress of the run's long-running step (e.g. the deployment), or null when none runs. */
export const hotfixWatchStatus = (runId: string) =>
  call<WatchProgress | null>('hotfix_watch_status', { runId });
/** Stops following the run's long-running step; false when none was running. */
export const hotfixCancelWatch = (runId: string) => call<boolean>('hotfix_cancel_watch', { runId });

/** `hotfix:watch-progress`, emitted while a long-running step runs and once when it ends. */
export function onHotfixWatchProgress(handler: (progress: WatchProgress) => void): Promise<UnlistenFn> {
  return listen<WatchProgress>('hotfix:watch-progress', (event) => handler(event.payload));
}

/** `hotfix:git-progress`, emitted while the profile's cached repository is cloned or fetched. */
export function onHotfixGitProgress(handler: (progress: GitProgress) => void): Promise<UnlistenFn> {
  return listen<GitProgress>('hotfix:git-progress', (event) => handler(event.payload));
}

/** `hotfix:run-updated`, emitted whenever the back end saved a run (also after a failed step). */
export function onHotfixRunUpdated(handler: (run: HotfixRun) => void): Promise<UnlistenFn> {
  return listen<HotfixRun>('hotfix:run-updated', (event) => handler(event.payload));
}

/** Event the app shell emits whenever the Azure DevOps client waits before repeating a call. */
export const ADO_WAIT_EVENT = 'ado:wait';

/** `ado:wait`: Azure DevOps asked to wait (429, `Retry-After`) or the client backs off. */
export function onAdoWait(handler: (wait: RetryWait) => void): Promise<UnlistenFn> {
  return listen<RetryWait>(ADO_WAIT_EVENT, (event) => handler(event.payload));
}


// --- step 8 and the run's end --- (commands in src-tauri/app/commands/cleanup.rs)

import type { BranchPick } from './bindings/BranchPick';
import type { CleanupReport } from './bindings/CleanupReport';

/** Step 8: reads the hotfix branches of earlier releases (`run.steps.cleanup.branches`). */
export const hotfixCleanupList = (runId: string) => call<HotfixRun>('hotfix_cleanup_list', { runId });
/**
 * Step 8: deletes the picked branches, each with the head the user saw (`objectId`); a branch that
 * moved meanwhile comes back `moved`, read again, not deleted.
 */
export const hotfixCleanupDelete = (runId: string, picks: BranchPick[]) =>
  call<CleanupReport>('hotfix_cleanup_delete', { runId, picks });
/** Completes the run (status `completed`); nothing changes it afterwards. */
export const hotfixFinishRun = (runId: string) => call<HotfixRun>('hotfix_finish_run', { runId });

// --- history --- (commands in src-tauri/app/commands/history.rs)

import type { ExportFormat } from './bindings/ExportFormat';
import type { HistoryDocument } from './bindings/HistoryDocument';
import type { HistoryEntry } from './bindings/HistoryEntry';
import type { HistoryExported } from './bindings/HistoryExported';
import type { HistoryFilter } from './bindings/HistoryFilter';

export type { ExportFormat, HistoryDocument, HistoryEntry, HistoryExported, HistoryFilter };

/** Every run the history knows (finished or not), newest first, filtered by profile and status. */
export const historyList = (filter: HistoryFilter = {}) => call<HistoryEntry[]>('history_list', { filter });
export const historyEntry = (runId: string) => call<HistoryEntry>('history_entry', { runId });
/** One run (`runId`) or every run the filter accepts, as Markdown or JSON text. */
export const historyDocument = (runId: string | null, format: ExportFormat, filter: HistoryFilter = {}) =>
  call<HistoryDocument>('history_document', { runId, filter, format });
/** Writes that document to the exports folder (never over another file); returns its path. */
export const historyExport = (runId: string | null, format: ExportFormat, filter: HistoryFilter = {}) =>
  call<HistoryExported>('history_export', { runId, filter, format });
