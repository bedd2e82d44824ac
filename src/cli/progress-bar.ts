/**
 * A one-line progress bar for terminals; on a pipe (CI logs) it prints one
 * plain line per update instead of redrawing.
 */
export class ProgressBar {
  private lastLine = '';

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** @default 30 */
    private readonly width = 30,
  ) {}

  update(percent: number, label: string): void {
    const p = Math.max(0, Math.min(100, percent));
    const filled = Math.round((p / 100) * this.width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${p.toFixed(1).padStart(5)}% ${label}`;
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K`);
    else this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.out.isTTY && this.lastLine) this.out.write('\n');
  }
}
