/** Scenarios: the suites in scenarios/, run one or all from the page, with what differed. */
import { relative } from 'node:path';
import type { Hono } from 'hono';
import { findScenarioFiles } from '../scenarios/scenario-files.ts';
import { formatResult, type ScenarioRunner } from '../scenarios/scenario-result.ts';
import type { UiContext } from './context.ts';
import { html } from './html.ts';
import { page, statusBadge } from './layout.ts';

/** `run` comes from whoever started this harness (the CLI's start): a scenario starts a harness of its own. */
export function scenarioRoutes(app: Hono, _ctx: UiContext, directory: string, run: ScenarioRunner | undefined): void {
  app.get('/scenarios', async (c) => {
    const files = await findScenarioFiles([directory]).catch(() => []);
    return c.html(
      page(
        'Scenarios',
        '/scenarios',
        html`
<p>Each scenario runs on its own harness, apart from this one. <button hx-post="/scenarios/run" hx-target="#results">Run all ${files.length}</button></p>
<div id="results" role="status"></div>
<table><thead><tr><th>Scenario file</th><th></th></tr></thead>
<tbody>${files.map((f) => html`<tr><td>${relative(directory, f)}</td><td><button hx-post="/scenarios/run" hx-vals='${JSON.stringify({ file: relative(directory, f) })}' hx-target="#results">Run</button></td></tr>`)}</tbody></table>`,
      ).text,
    );
  });
  app.post('/scenarios/run', async (c) => {
    const form = await c.req.parseBody();
    const all = await findScenarioFiles([directory]).catch(() => []);
    const files = form.file ? all.filter((f) => relative(directory, f) === String(form.file)) : all;
    if (form.file && files.length === 0)
      return c.html(
        html`<p class="error" role="alert">No scenario file "${String(form.file)}" in ${directory}.</p>`.text,
        404,
      );
    if (!run)
      return c.html(
        html`<p class="error" role="alert">This harness was started without a scenario runner; run them with <code>s3-harness scenario run</code>.</p>`
          .text,
        501,
      );
    const results = await run(files);
    const failed = results.filter((r) => !r.passed).length;
    return c.html(
      html`<p>${statusBadge(failed ? 'failed' : 'complete')} ${results.length - failed} passed, ${failed} failed</p>
${results.map((r) => html`<pre class="${r.passed ? '' : 'error'}">${formatResult(r)}</pre>`)}`.text,
    );
  });
}
