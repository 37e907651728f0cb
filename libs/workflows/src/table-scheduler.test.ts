import { tableScheduler } from './table-scheduler';

const t = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });
const names = (tables: { name: string }[]) => tables.map((x) => x.name);

describe('tableScheduler', () => {
  it('starts tables whose dependencies succeeded, in pipeline order, at most maxParallel at once', () => {
    const s = tableScheduler([t('a'), t('b'), t('c', 'a'), t('d')], { maxParallel: 2, onFailure: 'skipDependents' });
    expect(names(s.startable())).toEqual(['a', 'b']);
    expect(s.startable()).toEqual([]);
    s.succeeded('b');
    // c waits for a; d takes the free slot.
    expect(names(s.startable())).toEqual(['d']);
    s.succeeded('a');
    expect(names(s.startable())).toEqual(['c']);
    expect(s.allStarted).toBe(true);
    s.succeeded('d');
    s.succeeded('c');
    expect([s.count('succeeded'), s.count('running')]).toEqual([4, 0]);
  });

  it('a failure skips the transitive dependents, naming the failed table, and the rest go on', () => {
    const s = tableScheduler([t('a'), t('b', 'a'), t('c', 'b'), t('d')], { maxParallel: 4, onFailure: 'skipDependents' });
    expect(names(s.startable())).toEqual(['a', 'd']);
    s.failed('a', 'boom');
    expect(s.state('a')).toEqual({ status: 'failed', reason: 'boom' });
    expect(s.state('b')).toEqual({ status: 'skipped', reason: 'a failed' });
    expect(s.state('c')).toEqual({ status: 'skipped', reason: 'a failed' });
    expect(s.state('d')).toEqual({ status: 'running' });
    expect(s.allStarted).toBe(true);
    s.succeeded('d');
    expect([s.count('failed'), s.count('skipped'), s.count('succeeded')]).toEqual([1, 2, 1]);
  });

  it('onFailure stop skips every table not yet started; running ones finish', () => {
    const s = tableScheduler([t('a'), t('b'), t('c'), t('d', 'a')], { maxParallel: 2, onFailure: 'stop' });
    expect(names(s.startable())).toEqual(['a', 'b']);
    s.failed('b', 'boom');
    expect(s.state('c')).toEqual({ status: 'skipped', reason: 'stopped after b failed (onFailure: stop)' });
    expect(s.state('d')).toEqual({ status: 'skipped', reason: 'stopped after b failed (onFailure: stop)' });
    expect(s.state('a').status).toBe('running');
    expect(s.startable()).toEqual([]);
    s.succeeded('a');
    expect(s.count('succeeded')).toBe(1);
  });

  it('a table ends once, and only after it started', () => {
    const s = tableScheduler([t('a'), t('b')], { maxParallel: 1, onFailure: 'skipDependents' });
    expect(() => s.succeeded('a')).toThrow('table a ended while pending');
    s.startable();
    s.succeeded('a');
    expect(() => s.failed('a', 'late')).toThrow('table a ended while succeeded');
    expect(() => s.state('x')).toThrow('no table x in this pipeline');
  });

  it('a run that continued as new starts with what ended before it, and hands on what ends in it', () => {
    const tables = [t('a'), t('b'), t('c', 'b'), t('d', 'a'), t('e')];
    const first = tableScheduler(tables, { maxParallel: 2, onFailure: 'skipDependents' });
    expect(names(first.startable())).toEqual(['a', 'b']);
    first.succeeded('a');
    first.failed('b', 'boom');
    const carried = first.ended();
    expect(carried).toEqual({ a: { status: 'succeeded' }, b: { status: 'failed', reason: 'boom' }, c: { status: 'skipped', reason: 'b failed' } });

    const next = tableScheduler(tables, { maxParallel: 2, onFailure: 'skipDependents' }, carried);
    expect([next.count('succeeded'), next.count('failed'), next.count('skipped'), next.count('pending')]).toEqual([1, 1, 1, 2]);
    // d's dependency succeeded in the earlier run; c stays skipped and never starts.
    expect(names(next.startable())).toEqual(['d', 'e']);
    next.succeeded('d');
    next.succeeded('e');
    expect(next.allStarted).toBe(true);
    expect(Object.keys(next.ended()).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
