import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { defaultPayloadConverter } from '@temporalio/common';
import { transferFixture } from './support/ferry';
import { stack } from './support/env';
import { uniqueName } from './support/databases';
import { launchChromium, saveScreenshot, webUiUrl } from './support/browser';
import { repoRoot } from './support/processes';
import { waitFor } from './support/wait';

// What an operator sees: a finished tableTransfer in the Temporal Web UI, found by its
// workflow id, with every activity's summary (the "Summary" user metadata) on the timeline
// and in the event history. Runs headless Chromium against the dev server's real UI.
describe('the Temporal Web UI shows a transfer with its activity summaries', () => {
  const env = transferFixture('webui');
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Waits until `locator` is visible; on timeout, says what the UI lacks (and keeps a screenshot). */
  async function shown(page: Page, locator: Locator, what: string): Promise<void> {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: 30_000 });
    } catch (err) {
      const file = await saveScreenshot(page, 'failure');
      throw new Error(`the Web UI does not show ${what} (screenshot: ${file}): ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }

  it('lists the run by workflow id, and its page shows unload, every part load and replace by summary', async () => {
    // About 9 MB in four uncompressed parts: more than a tiny table (8 MB, loaded inside finalize), so loads show, one part and a run of small ones.
    await env.src.query(`CREATE TABLE web_ui AS SELECT g AS id, md5(g::text) || repeat('x', 400) AS h FROM generate_series(1, 20000) g`);
    await env.dst.query(`CREATE TABLE web_ui (id integer PRIMARY KEY, h text)`);
    const workflowId = uniqueName('transfer-public.web_ui');
    const handle = await env.ferry.client.workflow.start('tableTransfer', {
      taskQueue: env.ferry.taskQueue,
      workflowId,
      args: [
        {
          source: { connection: 'redshift', table: 'public.web_ui' },
          target: { connection: 'postgres', table: 'public.web_ui' },
          unload: { compression: 'none', maxFileSizeMb: 5 },
        },
      ],
    });
    const result = await handle.result();
    expect(result.rows).toBe(20000);

    // The summaries the workflow recorded, read back from history: the UI must show each of them.
    const history = await handle.fetchHistory();
    const summaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : undefined));
    const loads = summaries.filter((s) => s?.startsWith('load '));
    expect(summaries).toContain('unload public.web_ui');
    expect(summaries).toContain('replace public.web_ui (20,000 rows) by swap');
    // One part, or a run of small parts in one activity (its first and last named): every part once.
    const partsIn = (s: string) => Number(/\((\d+) parts, /.exec(s)?.[1] ?? 1);
    for (const s of loads) expect(s).toMatch(/^load \d{4}_part_00( … \d{4}_part_00 \(\d+ parts,| \() ?[\d.]+ (B|KB|MB), [\d,]+ rows\)$/);
    expect(loads.reduce((n, s) => n + partsIn(s!), 0)).toBe(result.parts);
    expect(loads.length).toBeGreaterThanOrEqual(1);

    // The list is served from visibility, which trails the run by a moment.
    const query = `WorkflowId="${workflowId}"`;
    await waitFor('the run in visibility', async () => {
      for await (const w of env.ferry.client.workflow.list({ query })) if (w.status.name === 'COMPLETED') return true;
      return false;
    });

    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    try {
      await page.goto(`${webUiUrl}/namespaces/${stack.namespace}/workflows?query=${encodeURIComponent(query)}`);
      const link = page.getByRole('link', { name: workflowId, exact: true });
      await shown(page, link, `the run ${workflowId} in the workflow list`);
      await link.first().click();
      await page.waitForURL(/\/history/);
      await shown(page, page.getByTestId('workflow-id-heading').getByText(workflowId), "the run's page");

      // The timeline draws every activity as `<activity type> • <summary>`.
      const timeline = (label: string) => page.locator('svg text', { hasText: label });
      await shown(page, timeline('unload • unload public.web_ui'), 'the unload summary on the timeline');
      for (const s of loads) await shown(page, timeline(`loadPart • ${s!}`), `the summary "${s}" on the timeline`);
      await shown(page, timeline('finalize • replace public.web_ui (20,000 rows) by swap'), 'the replace summary on the timeline');

      // The event history lists the Summary of each ActivityTaskScheduled event.
      const events = page.getByTestId('event-summary-table');
      for (const s of ['unload public.web_ui', ...loads, 'replace public.web_ui (20,000 rows) by swap']) {
        await shown(page, events.getByText(s!, { exact: true }), `the summary "${s}" in the event history`);
      }

      const file = await saveScreenshot(page, 'table-transfer');
      if (process.env.FERRY_UPDATE_DOCS_IMAGES) {
        mkdirSync(path.join(repoRoot, 'docs/images'), { recursive: true });
        copyFileSync(file, path.join(repoRoot, 'docs/images/web-ui-table-transfer.png'));
      }
    } finally {
      await page.close();
    }
  });

  it('shows a failed run\'s cause and fix as ferry wrote them (no "Encoded failure" without encryption keys)', async () => {
    await env.src.query(`CREATE TABLE web_ui_fail (id integer, h varchar(20))`);
    await env.src.query(`INSERT INTO web_ui_fail SELECT g, repeat('x', 20) FROM generate_series(1, 10) g`);
    await env.dst.query(`CREATE TABLE web_ui_fail (id integer PRIMARY KEY, h varchar(5))`);
    const workflowId = uniqueName('transfer-public.web_ui_fail');
    const handle = await env.ferry.client.workflow.start('tableTransfer', {
      taskQueue: env.ferry.taskQueue,
      workflowId,
      args: [{ source: { connection: 'redshift', table: 'public.web_ui_fail' }, target: { connection: 'postgres', table: 'public.web_ui_fail' } }],
    });
    const err = (await handle.result().catch((e: Error & { cause?: Error }) => e)) as Error & { cause?: Error };
    const message = err.cause!.message;
    expect(message).toMatch(/column "h" .*ALTER TABLE public\.web_ui_fail ALTER COLUMN "h" TYPE/);

    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    try {
      await page.goto(`${webUiUrl}/namespaces/${stack.namespace}/workflows/${workflowId}`);
      // The UI may wrap or truncate a long message: its head (cause) and its fix must both be there.
      await shown(page, page.getByText(message.slice(0, 60)), "the failure's cause");
      await shown(page, page.getByText(/ALTER COLUMN "h" TYPE/), "the failure's fix");
      expect(await page.locator('body').innerText()).not.toContain('Encoded failure');
      await saveScreenshot(page, 'failed-transfer');
    } finally {
      await page.close();
    }
  });
});
