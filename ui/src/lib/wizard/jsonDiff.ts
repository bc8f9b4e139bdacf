// A readable line diff of two JSON documents (pretty-printed with sorted keys, so that a key moving
// does not show as a change). Unchanged runs longer than the context are folded.

export type DiffLineKind = 'same' | 'added' | 'removed';

export interface DiffLine {
  readonly kind: DiffLineKind;
  readonly text: string;
  /** Line number in the old / new text (1-based), absent for added / removed lines. */
  readonly oldNo?: number;
  readonly newNo?: number;
}

export interface DiffFold {
  readonly kind: 'fold';
  readonly count: number;
}

export type DiffRow = DiffLine | DiffFold;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Pretty JSON with sorted keys; text that is not JSON is returned as is. */
export function prettyJson(text: string | null | undefined): string[] {
  if (text === null || text === undefined || text === '') return [];
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)), null, 2).split('\n');
  } catch {
    return text.split('\n');
  }
}

// Beyond this many cells the LCS table is not built: the middle is shown as removed + added.
const MAX_CELLS = 4_000_000;

export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ kind: 'same', text: a[i] ?? '', oldNo: i + 1, newNo: i + 1 });

  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++) out.push({ kind: 'removed', text: a[i] ?? '', oldNo: i + 1 });
    for (let j = start; j < endB; j++) out.push({ kind: 'added', text: b[j] ?? '', newNo: j + 1 });
  } else {
    // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB)
    const w = m + 1;
    const lcs = new Int32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] =
          a[start + i] === b[start + j]
            ? (lcs[(i + 1) * w + j + 1] ?? 0) + 1
            : Math.max(lcs[(i + 1) * w + j] ?? 0, lcs[i * w + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        out.push({ kind: 'same', text: a[start + i] ?? '', oldNo: start + i + 1, newNo: start + j + 1 });
        i++;
        j++;
      } else if (i < n && (j >= m || (lcs[(i + 1) * w + j] ?? 0) >= (lcs[i * w + j + 1] ?? 0))) {
        // Removals before additions, so a changed line reads old → new.
        out.push({ kind: 'removed', text: a[start + i] ?? '', oldNo: start + i + 1 });
        i++;
      } else {
        out.push({ kind: 'added', text: b[start + j] ?? '', newNo: start + j + 1 });
        j++;
      }
    }
  }
  const shift = endB - endA;
  for (let i = endA; i < a.length; i++)
    out.push({ kind: 'same', text: a[i] ?? '', oldNo: i + 1, newNo: i + shift + 1 });
  return out;
}

/** Keeps `context` unchanged lines around each change and folds the rest. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, idx) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, idx - context); k <= Math.min(lines.length - 1, idx + context); k++) keep[k] = true;
  });
  const rows: DiffRow[] = [];
  let folded = 0;
  lines.forEach((line, idx) => {
    if (keep[idx]) {
      if (folded > 0) rows.push({ kind: 'fold', count: folded });
      folded = 0;
      rows.push(line);
    } else {
      folded++;
    }
  });
  if (folded > 0) rows.push({ kind: 'fold', count: folded });
  return rows;
}

/** The folded diff of two JSON texts (either may be absent for created / deleted artifacts). */
export function jsonDiff(before: string | null | undefined, after: string | null | undefined, context = 3): DiffRow[] {
  return foldUnchanged(diffLines(prettyJson(before), prettyJson(after)), context);
}
