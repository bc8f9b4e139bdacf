import { describe, expect, it } from 'vitest';
import { diffLines, foldUnchanged, jsonDiff, prettyJson } from './jsonDiff';

describe('jsonDiff', () => {
  it('ignores key order and shows the changed value as removed + added', () => {
    const rows = jsonDiff('{"b":1,"a":{"x":"old"}}', '{"a":{"x":"new"},"b":1}');
    const changed = rows.filter((r) => r.kind !== 'same');
    expect(changed).toEqual([
      { kind: 'removed', text: '    "x": "old"', oldNo: 3 },
      { kind: 'added', text: '    "x": "new"', newNo: 3 },
    ]);
  });

  it('shows a created artifact as all added and a deleted one as all removed', () => {
    expect(jsonDiff(null, '{"a":1}').every((r) => r.kind === 'added')).toBe(true);
    expect(jsonDiff('{"a":1}', null).every((r) => r.kind === 'removed')).toBe(true);
  });

  it('folds long unchanged runs but keeps context around changes', () => {
    const a = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[15] = 'changed';
    const rows = foldUnchanged(diffLines(a, b), 2);
    expect(rows[0]).toEqual({ kind: 'fold', count: 13 });
    expect(rows.filter((r) => r.kind === 'same')).toHaveLength(4);
    expect(rows[rows.length - 1]).toEqual({ kind: 'fold', count: 12 });
  });

  it('keeps text that is not JSON as lines', () => {
    expect(prettyJson('not json\nline 2')).toEqual(['not json', 'line 2']);
  });

  it('numbers lines after an insertion in both texts', () => {
    const lines = diffLines(['a', 'b', 'c'], ['a', 'x', 'b', 'c']);
    expect(lines).toEqual([
      { kind: 'same', text: 'a', oldNo: 1, newNo: 1 },
      { kind: 'added', text: 'x', newNo: 2 },
      { kind: 'same', text: 'b', oldNo: 2, newNo: 3 },
      { kind: 'same', text: 'c', oldNo: 3, newNo: 4 },
    ]);
  });
});
