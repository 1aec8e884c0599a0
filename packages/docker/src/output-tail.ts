/** Keeps the last lines of a command's output for error messages, whatever its total size. */
export class OutputTail {
  private readonly limit: number;
  private readonly maxLineLength: number;
  private readonly complete: string[] = [];
  private partial = "";

  constructor(limit = 20, maxLineLength = 1000) {
    this.limit = limit;
    this.maxLineLength = maxLineLength;
  }

  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n|\r/);
    this.partial = this.clip(parts.pop() ?? "");
    for (const line of parts) {
      this.complete.push(this.clip(line));
      if (this.complete.length > this.limit) this.complete.shift();
    }
  }

  /** The last lines, the unterminated one included. */
  lines(): string[] {
    const lines = this.partial === "" ? [...this.complete] : [...this.complete, this.partial];
    return lines.slice(-this.limit);
  }

  private clip(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
