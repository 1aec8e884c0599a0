/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours as one edit each. */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const distances: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: columns }, (_, column) => (row === 0 ? column : column === 0 ? row : 0)),
  );
  const at = (row: number, column: number): number => distances[row]?.[column] ?? 0;
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + cost);
      if (row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1]) {
        best = Math.min(best, at(row - 2, column - 2) + 1);
      }
      (distances[row] as number[])[column] = best;
    }
  }
  return at(left.length, right.length);
}

/** The candidate closest to `input` (ignoring case), or null when none is close enough to be a typo. */
export function suggestClosest(input: string, candidates: readonly string[]): string | null {
  // One- and two-letter inputs are close to everything: only a difference of case counts there.
  const maximum = input.length <= 2 ? 0 : input.length <= 4 ? 1 : input.length <= 8 ? 2 : 3;
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= maximum ? best : null;
}

/** A "did you mean" hint for `input`, or null. */
export function didYouMean(input: string, candidates: readonly string[]): string | null {
  const suggestion = suggestClosest(input, candidates);
  return suggestion === null || suggestion === input ? null : `did you mean "${suggestion}"?`;
}
