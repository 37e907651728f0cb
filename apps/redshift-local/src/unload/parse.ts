import { tokenize, UnloadSyntaxError, type Token } from './tokenize';

/** An UNLOAD statement as written: the query, the destination and each option given. */
export interface UnloadStatement {
  query: string;
  to: string;
  options: Map<string, OptionValue>;
}

export type OptionValue = true | string | number;

/** Parses `UNLOAD ('select …') TO 's3://…' option…`. Options are validated by validateOptions. */
export function parseUnload(sql: string): UnloadStatement {
  const tokens = tokenize(sql);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const fail = (t?: Token): never => {
    throw new UnloadSyntaxError(t ? `syntax error at or near "${t.kind === 'string' ? `'${t.value}'` : t.value}"` : 'syntax error at end of input');
  };
  const word = (...values: string[]) => {
    const t = peek();
    if (t?.kind === 'word' && (values.length === 0 || values.includes(t.value))) return tokens[i++].value;
    return undefined;
  };
  const expectWord = (value: string) => word(value) ?? fail(peek());
  const punct = (value: string) => (peek()?.kind === 'punct' && peek()!.value === value ? (i++, true) : false);
  const expectPunct = (value: string) => punct(value) || fail(peek());
  const string = () => (peek()?.kind === 'string' ? tokens[i++].value : fail(peek()));
  const optionalAs = () => word('AS');

  expectWord('UNLOAD');
  expectPunct('(');
  const query = string();
  expectPunct(')');
  expectWord('TO');
  const to = string();

  const options = new Map<string, OptionValue>();
  const set = (name: string, value: OptionValue) => {
    if (options.has(name)) throw new UnloadSyntaxError(`conflicting or redundant options: ${name} is given twice`);
    options.set(name, value);
  };
  while (i < tokens.length && !(peek()!.kind === 'punct' && peek()!.value === ';')) {
    const t = peek()!;
    const name = word() ?? fail(t);
    switch (name) {
      case 'FORMAT':
        optionalAs();
        set('FORMAT', word('CSV', 'PARQUET', 'JSON') ?? fail(peek()));
        break;
      case 'CSV':
      case 'PARQUET':
      case 'JSON':
        set('FORMAT', name);
        break;
      case 'MANIFEST':
        set('MANIFEST', word('VERBOSE') ? 'VERBOSE' : true);
        break;
      case 'DELIMITER':
      case 'FIXEDWIDTH':
      case 'NULL':
      case 'REGION':
      case 'EXTENSION':
        optionalAs();
        set(name, string());
        break;
      case 'IAM_ROLE':
        set(name, word('DEFAULT') ? 'default' : string());
        break;
      case 'WITH':
        expectWord('CREDENTIALS');
        optionalAs();
        set('CREDENTIALS', string());
        break;
      case 'CREDENTIALS':
        optionalAs();
        set(name, string());
        break;
      case 'ACCESS_KEY_ID':
      case 'SECRET_ACCESS_KEY':
      case 'SESSION_TOKEN':
      case 'KMS_KEY_ID':
      case 'MASTER_SYMMETRIC_KEY':
        set(name, string());
        break;
      case 'ENCRYPTED':
        set(name, word('AUTO') ? 'AUTO' : true);
        break;
      case 'PARALLEL': {
        const v = word('ON', 'TRUE', 'OFF', 'FALSE');
        set(name, v === undefined || v === 'ON' || v === 'TRUE' ? 'ON' : 'OFF');
        break;
      }
      case 'MAXFILESIZE':
      case 'ROWGROUPSIZE': {
        optionalAs();
        const n = peek()?.kind === 'number' ? Number(tokens[i++].value) : fail(peek());
        const unit = word('MB', 'GB') ?? 'MB';
        set(name, unit === 'GB' ? n * 1024 : n);
        break;
      }
      case 'PARTITION':
        expectWord('BY');
        expectPunct('(');
        while (!punct(')')) i++;
        word('INCLUDE');
        set('PARTITION BY', true);
        break;
      case 'HEADER':
      case 'GZIP':
      case 'BZIP2':
      case 'ZSTD':
      case 'ADDQUOTES':
      case 'ESCAPE':
      case 'ALLOWOVERWRITE':
      case 'CLEANPATH':
        set(name, true);
        break;
      default:
        fail(t);
    }
  }
  punct(';');
  if (i < tokens.length) fail(peek());
  return { query, to, options };
}
