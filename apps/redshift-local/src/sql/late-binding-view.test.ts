import { rewriteLateBindingViews } from './late-binding-view';

describe('late-binding views', () => {
  it('drop WITH NO SCHEMA BINDING, at the statement level only', () => {
    expect(rewriteLateBindingViews('create view v as select * from public.t with no schema binding')).toBe('create view v as select * from public.t ');
    expect(rewriteLateBindingViews("create view v as select 'with no schema binding' as x")).toBeUndefined();
    expect(rewriteLateBindingViews('select 1')).toBeUndefined();
  });
});
