// Branch-name rules of `git check-ref-format --branch`, checked as the user types so that nothing
// invalid is sent. The back end validates again (it is the authority); these messages only save a
// round trip. Each problem has a stable `rule` so tests and callers never match on text.

export type RefRule =
  | 'empty'
  | 'leadingDash'
  | 'slashEdge'
  | 'doubleSlash'
  | 'dotComponent'
  | 'lockSuffix'
  | 'doubleDot'
  | 'trailingDot'
  | 'atBrace'
  | 'onlyAt'
  | 'forbiddenChar'
  | 'controlChar'
  | 'reserved';

export interface RefProblem {
  readonly rule: RefRule;
  readonly message: string;
}

const FORBIDDEN = [' ', '~', '^', ':', '?', '*', '[', '\\'];

function describeChar(c: string): string {
  return c === ' ' ? 'a space' : `"${c}"`;
}

/** Problems with `name` as a branch name (without `refs/heads/`); empty when it is valid. */
export function branchNameProblems(name: string): RefProblem[] {
  const problems: RefProblem[] = [];
  const add = (rule: RefRule, message: string): void => {
    if (!problems.some((p) => p.rule === rule)) problems.push({ rule, message });
  };
  if (name.length === 0) {
    add('empty', 'Type a branch name.');
    return problems;
  }
  if (name.startsWith('-')) add('leadingDash', 'A branch name cannot start with "-".');
  if (name.startsWith('/') || name.endsWith('/'))
    add('slashEdge', 'A branch name cannot start or end with "/".');
  if (name.includes('//')) add('doubleSlash', 'A branch name cannot contain "//".');
  if (name.includes('..')) add('doubleDot', 'A branch name cannot contain "..".');
  if (name.endsWith('.')) add('trailingDot', 'A branch name cannot end with ".".');
  if (name.includes('@{')) add('atBrace', 'A branch name cannot contain "@{".');
  if (name === '@') add('onlyAt', 'A branch name cannot be "@" alone.');
  if (name === 'HEAD') add('reserved', '"HEAD" is reserved by git; pick another name.');
  for (const part of name.split('/')) {
    if (part.startsWith('.')) add('dotComponent', 'No part of the name (between "/") may start with ".".');
    if (part.endsWith('.lock')) add('lockSuffix', 'No part of the name (between "/") may end with ".lock".');
  }
  const bad = FORBIDDEN.filter((c) => name.includes(c));
  if (bad.length > 0)
    add('forbiddenChar', `A branch name cannot contain ${bad.map(describeChar).join(', ')}.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) add('controlChar', 'A branch name cannot contain control characters.');
  return problems;
}

/** The branch name without surrounding spaces and without a typed `refs/heads/` prefix (the back end
 *  adds it, and answers for the short name). */
export function shortBranchName(typed: string): string {
  const name = typed.trim();
  return name.startsWith('refs/heads/') ? name.slice('refs/heads/'.length) : name;
}
