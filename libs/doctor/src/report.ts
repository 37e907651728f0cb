import type { Check } from './check';

/** The checklist for a terminal: one line a check, each failure with its detail and fix under it. */
export function formatChecklist(checks: Check[]): string {
  const lines = checks.flatMap((c) => {
    const line = `${c.ok ? '✓' : '✗'} ${c.subject}: ${c.check}${c.detail && c.ok ? ` (${c.detail})` : ''}`;
    return c.ok ? [line] : [line, `    ${c.detail}`, `    fix: ${c.fix}`];
  });
  const failed = checks.filter((c) => !c.ok).length;
  lines.push('', failed === 0 ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`);
  return lines.join('\n');
}
