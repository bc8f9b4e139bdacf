import { describe, expect, it } from 'vitest';
import { branchNameProblems } from './refname';

const rules = (name: string) => branchNameProblems(name).map((p) => p.rule);

describe('branchNameProblems', () => {
  it('accepts the usual hotfix names', () => {
    for (const ok of ['Release3_Hotfixes', 'hotfix/Release-3', 'hotfix/2026-11-26', 'a.b/c-d_e']) {
      expect(branchNameProblems(ok)).toEqual([]);
    }
  });

  it.each([
    ['', 'empty'],
    ['-hotfix', 'leadingDash'],
    ['/hotfix', 'slashEdge'],
    ['hotfix/', 'slashEdge'],
    ['hot//fix', 'doubleSlash'],
    ['hot..fix', 'doubleDot'],
    ['hotfix.', 'trailingDot'],
    ['hot@{fix', 'atBrace'],
    ['@', 'onlyAt'],
    ['HEAD', 'reserved'],
    ['hotfix/.hidden', 'dotComponent'],
    ['hotfix.lock/x', 'lockSuffix'],
    ['hot fix', 'forbiddenChar'],
    ['hot~fix', 'forbiddenChar'],
    ['hot:fix', 'forbiddenChar'],
    ['hot\\fix', 'forbiddenChar'],
    ['hot*fix', 'forbiddenChar'],
    ['hot\tfix', 'controlChar'],
  ])('rejects %j (%s)', (name, rule) => {
    expect(rules(name)).toContain(rule);
  });

  it('names every forbidden character once in one message', () => {
    const problems = branchNameProblems('a b?c?');
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toBe('A branch name cannot contain a space, "?".');
  });
});
