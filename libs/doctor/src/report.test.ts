import { check, Failed } from './check';
import { formatChecklist } from './report';

describe('the checklist', () => {
  it('one line a check; a failure with its detail and fix; the count', async () => {
    const checks = [
      await check('s3', 'bucket b exists', 'create the bucket', async () => undefined),
      await check('postgres', 'logs in', 'general fix', async () => {
        throw new Failed('password authentication failed', 'set passwordEnv');
      }),
      await check('redshift', 'reads the catalog', 'grant USAGE', async () => {
        throw new Error('outer', { cause: new Error('inner') });
      }),
    ];
    expect(formatChecklist(checks)).toBe(
      [
        '✓ s3: bucket b exists',
        '✗ postgres: logs in',
        '    password authentication failed',
        '    fix: set passwordEnv',
        '✗ redshift: reads the catalog',
        '    outer: inner',
        '    fix: grant USAGE',
        '',
        '2 of 3 checks failed',
      ].join('\n'),
    );
  });
});
