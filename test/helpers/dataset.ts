/** A template's whole dataset through the API, page after page (`x-s3-harness-next`, docs/api.md). */
import type { DatasetRow } from '../../core/submissions/index.ts';

export async function wholeDataset(apiUrl: string, template: string, limit?: number): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  let after: string | null = null;
  do {
    const query = new URLSearchParams({ ...(limit ? { limit: String(limit) } : {}), ...(after ? { after } : {}) });
    const response = await fetch(`${apiUrl}/api/templates/${encodeURIComponent(template)}/dataset?${query}`);
    if (!response.ok) throw new Error(`dataset page: HTTP ${response.status} ${await response.text()}`);
    rows.push(...((await response.json()) as DatasetRow[]));
    after = response.headers.get('x-s3-harness-next');
  } while (after);
  return rows;
}
