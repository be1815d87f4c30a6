import { parseTemplate, type DerivationContext, type Template } from '../../core/templates/index.ts';
import type { InputIssue } from '../../core/shared/issues.ts';

/** Parses a template and fails loudly if it is invalid. */
export function template(raw: Record<string, unknown>): Template {
  const issues: InputIssue[] = [];
  const t = parseTemplate({ name: 'T', ...raw }, 'templates[0]', issues);
  if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return t;
}

/** Counters in memory, a fixed clock, and a predictable random source. */
export function derivation(now = new Date(Date.UTC(2026, 10, 28, 6, 0, 0))): DerivationContext {
  const counters = new Map<string, number>();
  let seed = 1;
  return {
    nextNumber(counter, start) {
      const next = counters.get(counter) ?? start;
      counters.set(counter, next + 1);
      return next;
    },
    now: () => now,
    randomInt: (below) => (seed = (seed * 48271) % 2147483647) % below,
  };
}
