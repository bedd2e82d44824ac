/** Plain-text tables for a terminal: columns padded to their widest cell. */

/** `rows` under `header`, each column as wide as its widest cell, two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A 0..1 box as `x,y wxh` in percent of the image, for a table cell. */
export const boxCell = (b: { left: number; top: number; width: number; height: number }): string =>
  `${(b.left * 100).toFixed(1)},${(b.top * 100).toFixed(1)} ${(b.width * 100).toFixed(1)}x${(b.height * 100).toFixed(1)}%`;
