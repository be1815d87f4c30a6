/** JUnit XML for CI: one test suite, a test case per scenario, the failure's message and detail. */
import type { ScenarioResult } from './run-scenario.ts';

const escape = (text: string) =>
  text
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!)
    // XML 1.0 cannot hold most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function junitXml(results: readonly ScenarioResult[], suiteName = 's3-harness scenarios'): string {
  const failures = results.filter((r) => !r.passed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = results.map((r) => {
    const open = `  <testcase classname="${escape(r.file)}" name="${escape(r.name)}" time="${seconds(r.durationMs)}"`;
    if (r.passed || !r.failure) return `${open}/>`;
    const where = r.failure.step >= 0 ? `step ${r.failure.step + 1} (${r.failure.kind}): ` : '';
    const body = [r.failure.message, r.failure.detail].filter(Boolean).join('\n\n');
    return `${open}>\n    <failure message="${escape(`${where}${r.failure.message.split('\n')[0]}`)}">${escape(body)}</failure>\n  </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="${escape(suiteName)}" tests="${results.length}" failures="${failures}" errors="0" time="${seconds(total)}">\n${cases.join('\n')}\n</testsuite>\n`;
}
