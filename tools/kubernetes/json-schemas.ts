// Kubernetes' JSON schemas for kubeconform, without GitHub: the API's OpenAPI definitions
// (api/openapi-spec/swagger.json of the Go module k8s.io/kubernetes, which the Go module
// proxy serves and `go mod download` checks against the checksum database), written one file
// per kind where kubeconform looks them up (<kind>[-<group>]-<version>.json, e.g.
// deployment-apps-v1.json). Each file is standalone (every definition it refers to is under
// its own `definitions`) and strict (an object's properties are all it may have).
//
//   npx tsx tools/kubernetes/json-schemas.ts <Kubernetes version, e.g. 1.36.3> <output folder>
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Schema = { [key: string]: unknown };
interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const REF = '#/definitions/';
// Written as strings in YAML (`cpu: 500m`, `port: http`) or as numbers (`cpu: 1`, `port: 8080`).
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Downloads k8s.io/kubernetes@v<version> into the Go module cache and returns its swagger.json. */
export function kubernetesOpenApi(version: string): { definitions: Record<string, Schema> } {
  const download = spawnSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], {
    cwd: tmpdir(), // outside any Go module
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
  });
  if (download.error) throw new Error(`cannot run go (Go is needed to download k8s.io/kubernetes): ${download.error.message}`);
  const result = JSON.parse(download.stdout || '{}') as { Dir?: string; Error?: string };
  if (download.status !== 0 || !result.Dir) throw new Error(`go mod download k8s.io/kubernetes@v${version} failed: ${result.Error ?? download.stderr.trim()}`);
  return JSON.parse(readFileSync(path.join(result.Dir, 'api/openapi-spec/swagger.json'), 'utf8'));
}

/** A definition as kubeconform's strict schemas have it: no property beyond those defined, and null (an empty YAML value) allowed. */
function strict(schema: Schema, name?: string): Schema {
  // Draft 4, kubeconform's default, ignores a $ref's siblings (descriptions here).
  if (typeof schema.$ref === 'string') return { $ref: schema.$ref };
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) if (key !== 'description' && !key.startsWith('x-kubernetes-')) out[key] = value;
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
    delete out.format;
    out.type = ['string', 'integer'];
  } else if (name === QUANTITY) {
    out.type = ['string', 'number'];
  }
  if (typeof out.type === 'string') out.type = [out.type];
  if (Array.isArray(out.type)) out.type = [...out.type, 'null'];
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, strict(value)]));
  if (schema.items) out.items = strict(schema.items as Schema);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = strict(schema.additionalProperties as Schema);
  else if (properties && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  for (const key of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(schema[key])) out[key] = (schema[key] as Schema[]).map((s) => strict(s));
  return out;
}

/** The definitions `name` refers to, directly or not, itself included. */
function closure(name: string, definitions: Record<string, Schema>, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  if (!definitions[name]) throw new Error(`swagger.json refers to ${name}, which it does not define`);
  seen.add(name);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object')
      for (const [key, v] of Object.entries(value)) {
        if (key === '$ref' && typeof v === 'string' && v.startsWith(REF)) closure(v.slice(REF.length), definitions, seen);
        else visit(v);
      }
  };
  visit(definitions[name]);
  return seen;
}

/** kubeconform's file name for a kind: `{{ .ResourceKind }}{{ .KindSuffix }}.json` (pkg/registry/registry.go). */
export function schemaFileName({ group, version, kind }: GroupVersionKind): string {
  return `${[kind, group.split('.')[0], version].filter(Boolean).join('-').toLowerCase()}.json`;
}

/** Every kind's standalone strict schema, by file name. */
export function kubeconformSchemas(openApi: { definitions: Record<string, Schema> }): Map<string, Schema> {
  const definitions = Object.fromEntries(Object.entries(openApi.definitions).map(([name, schema]) => [name, strict(schema, name)]));
  const files = new Map<string, Schema>();
  for (const [name, schema] of Object.entries(openApi.definitions)) {
    for (const gvk of (schema['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined) ?? []) {
      const file = schemaFileName(gvk);
      if (files.has(file)) continue; // DeleteOptions and WatchEvent are listed under every group
      const refs = [...closure(name, openApi.definitions)].sort();
      files.set(file, { ...definitions[name], definitions: Object.fromEntries(refs.map((r) => [r, definitions[r]])) });
    }
  }
  return files;
}

function main() {
  const [version, outDir] = process.argv.slice(2);
  if (!/^\d+\.\d+\.\d+$/.test(version ?? '') || !outDir) {
    console.error('usage: json-schemas.ts <Kubernetes version, e.g. 1.36.3> <output folder>');
    process.exit(2);
  }
  const files = kubeconformSchemas(kubernetesOpenApi(version));
  // Written beside the folder and renamed into place: a folder that exists is complete.
  const partial = `${outDir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  for (const [file, schema] of files) writeFileSync(path.join(partial, file), JSON.stringify(schema));
  if (existsSync(outDir)) rmSync(partial, { recursive: true });
  else renameSync(partial, outDir);
  console.log(`json-schemas: ${files.size} kinds of Kubernetes ${version} in ${outDir}`);
}

if (require.main === module) {
  try {
    main();
  } catch (err) {
    console.error(`json-schemas: ${(err as Error).message}`);
    process.exit(1);
  }
}
