/** What the harness logs with console.error during a test, one string per call; `restore()` puts console.error back. */
export function captureConsoleErrors(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  return { lines, restore: () => void (console.error = original) };
}
