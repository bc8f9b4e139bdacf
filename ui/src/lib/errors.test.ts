import { describe, expect, it } from 'vitest';
import { errorTitle, isAppError, toAppError } from './errors';

describe('toAppError', () => {
  it('keeps an AppError from a command as it is', () => {
    const err = { code: 'tokenRejected', message: 'Azure DevOps rejected the token (HTTP 401).' };
    expect(toAppError(err)).toBe(err);
    expect(isAppError(err)).toBe(true);
  });

  it('wraps the plain string the IPC layer rejects with (denied command) as internal', () => {
    const err = toAppError('command open_url not allowed by ACL');
    expect(err.code).toBe('internal');
    expect(err.detail).toBe('command open_url not allowed by ACL');
  });

  it('does not trust an object with an unknown code', () => {
    expect(isAppError({ code: 'teapot', message: 'x' })).toBe(false);
    expect(toAppError({ code: 'teapot', message: 'x' }).code).toBe('internal');
  });

  it('wraps thrown Errors with their message as detail', () => {
    expect(toAppError(new Error('boom')).detail).toBe('boom');
  });

  it('has a title for every code', () => {
    expect(errorTitle('unreachable')).toBe('Azure DevOps could not be reached');
  });
});
