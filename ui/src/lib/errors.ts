/**
 * The error every command rejects with (`AppError {code, message, detail?}`, mirrored from Rust
 * through ts-rs) and what the UI shows above the back end's message. The UI matches on `code`,
 * never on English text.
 */
import type { AppError } from './bindings/AppError';
import type { ErrorCode } from './bindings/ErrorCode';

export type { AppError, ErrorCode };

const CODES: readonly ErrorCode[] = [
  'invalidInput',
  'notSignedIn',
  'tokenRejected',
  'missingScope',
  'noPermission',
  'notFound',
  'conflict',
  'rateLimited',
  'unreachable',
  'serverError',
  'keychainUnavailable',
  'storage',
  'corruptFile',
  'git',
  'precondition',
  'cancelled',
  'timeout',
  'signInRefused',
  'interactionRequired',
  'wrongTenant',
  'noOrganizationAccess',
  'internal',
];

const TITLES: Record<ErrorCode, string> = {
  invalidInput: 'Check what you entered',
  notSignedIn: 'Not signed in to Azure DevOps',
  tokenRejected: 'Azure DevOps rejected the token',
  missingScope: 'The token is missing a scope',
  noPermission: 'No permission',
  notFound: 'Not found',
  conflict: 'Azure DevOps disagrees with this change',
  rateLimited: 'Azure DevOps is throttling requests',
  unreachable: 'Azure DevOps could not be reached',
  serverError: 'Azure DevOps had a problem',
  keychainUnavailable: 'The OS keychain is not available',
  storage: 'A file could not be read or written',
  corruptFile: 'A saved file was unreadable',
  git: 'A git operation failed',
  precondition: 'This cannot be done yet',
  cancelled: 'Cancelled',
  timeout: 'Waited too long',
  signInRefused: 'Microsoft Entra ID refused the sign-in',
  interactionRequired: 'Your organization asks you to sign in again',
  wrongTenant: 'Signed in to the wrong tenant',
  noOrganizationAccess: 'No access to the organization',
  internal: 'Something went wrong',
};

export function isAppError(value: unknown): value is AppError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/**
 * Turns whatever a rejected `invoke` produced into an `AppError`: commands reject with one, but the
 * IPC layer itself rejects with a plain string (unknown command, denied by a capability) and a
 * bug may throw an `Error`.
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  if (typeof value === 'string') {
    return { code: 'internal', message: 'The app could not complete the request.', detail: value };
  }
  if (value instanceof Error) {
    return {
      code: 'internal',
      message: 'The app could not complete the request.',
      detail: value.message,
    };
  }
  return {
    code: 'internal',
    message: 'The app could not complete the request.',
    detail: JSON.stringify(value) ?? String(value),
  };
}

export function errorTitle(code: ErrorCode): string {
  return TITLES[code];
}
