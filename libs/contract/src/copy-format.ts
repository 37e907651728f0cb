/**
 * The one text format both ends agree on. UNLOAD writes pipe-delimited text with ESCAPE
 * (a backslash before LF, CR, `|` and `\` in character columns) and NULL as `\N`;
 * PostgreSQL's COPY text format reads exactly that back: `\<char>` is the char itself,
 * and a field is NULL only when its raw text is `\N`, so the string '\N' (written `\\N`)
 * stays a string. See ARCHITECTURE.md, "Exact round trip".
 */
export const copyFormat = {
  delimiter: '|',
  nullString: '\\N',
} as const;
