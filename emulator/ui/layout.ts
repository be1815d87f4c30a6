/** The page shell: navigation, htmx, the stylesheet. */
import { html, type Html } from './html.ts';

export const SECTIONS = [
  { path: '/submissions', label: 'Submissions' },
  { path: '/s3', label: 'S3 browser' },
  { path: '/templates', label: 'Templates' },
  { path: '/accounts', label: 'Accounts' },
  { path: '/iam', label: 'IAM' },
  { path: '/activity', label: 'Activity' },
  { path: '/decisions', label: 'Decisions' },
  { path: '/scenarios', label: 'Scenarios' },
] as const;

export function page(title: string, current: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · s3-harness</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/htmx.js"></script>
</head>
<body>
<header>
  <a class="brand" href="/">s3-harness</a>
  <nav aria-label="Sections">
    ${SECTIONS.map((s) => html`<a href="${s.path}"${s.path === current ? html` aria-current="page"` : ''}>${s.label}</a>`)}
  </nav>
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export function statusBadge(status: string): Html {
  return html`<span class="badge ${status}">${status}</span>`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
