import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ferryConfigSchema } from '@ferry/config';

// deploy/kubernetes without a cluster: kubeconform checks every object against Kubernetes'
// own schemas, strictly and offline (tools/kubernetes/validate.sh), and the objects are read
// here for what a schema cannot say: no secret written in a manifest, no variable ferry does
// not read, and a worker Deployment whose build id, labels and metrics port agree.
const repoRoot = path.resolve(__dirname, '..');
const manifestDir = path.join(repoRoot, 'deploy/kubernetes');

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects, read loosely */
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, any>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown };
}

const files = readdirSync(manifestDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const objects: (K8sObject & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(manifestDir, file), 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { ...(doc.toJSON() as K8sObject), file };
  }),
);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const containers = ofKind('Deployment').flatMap((d) => [...d.spec.template.spec.containers, ...(d.spec.template.spec.initContainers ?? [])]);
const env = (container: any): EnvVar[] => container.env ?? [];

function validate(args: string[] = []): { code: number | null; output: string } {
  const run = spawnSync('bash', ['tools/kubernetes/validate.sh', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: run.status, output: run.stdout + run.stderr };
}

describe('Kubernetes manifests', () => {
  it('are valid objects of Kubernetes 1.36 for kubeconform in strict mode', () => {
    const { code, output } = validate();
    expect(output).toContain(`Valid: ${objects.filter((o) => o.kind !== 'Kustomization').length}, Invalid: 0, Errors: 0`);
    expect(code).toBe(0);
  });

  it('fail validation with a misspelled field or a value of the wrong type, naming them', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'ferry-k8s-'));
    try {
      const worker = readFileSync(path.join(manifestDir, 'worker.yaml'), 'utf8');
      const broken = worker.replace('containerPort: 9464', 'containerPortt: 9464').replace('replicas: 2', 'replicas: two');
      expect(broken).toContain('containerPortt');
      expect(broken).toContain('replicas: two');
      writeFileSync(path.join(scratch, 'worker.yaml'), broken);
      const { code, output } = validate([path.join(scratch, 'worker.yaml')]);
      expect(code).toBe(1);
      expect(output).toContain("additional properties 'containerPortt' not allowed");
      expect(output).toMatch(/at '\/spec\/replicas': got string, want .*integer/);
      expect(output).toContain('Invalid: 1');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('write no secret: secret variables come from a Secret, and the only Secrets are placeholders in the template', () => {
    const secretName = /PASSWORD|SECRET|KEY|TOKEN/;
    for (const container of containers)
      for (const variable of env(container).filter((v) => secretName.test(v.name) && !v.name.endsWith('_PATH'))) {
        // A *_PATH variable names a file (mounted from a Secret); every other one is the secret itself.
        expect({ name: variable.name, value: variable.value }).toEqual({ name: variable.name, value: undefined });
        expect(variable.valueFrom?.secretKeyRef?.name).toBe('ferry-secrets');
      }
    for (const map of ofKind('ConfigMap')) expect(Object.keys(map.data).filter((k) => secretName.test(k))).toEqual([]);
    const secrets = ofKind('Secret');
    expect(new Set(secrets.map((s) => s.file))).toEqual(new Set(['secret.example.yaml']));
    for (const secret of secrets) {
      expect(secret.data).toBeUndefined(); // base64 would hide what the value is
      for (const value of Object.values(secret.stringData as Record<string, string>)) expect(value).toContain('REPLACE_ME');
    }
    expect(readFileSync(path.join(manifestDir, 'secret.example.yaml'), 'utf8')).toMatch(/^# TEMPLATE/);
    // `kubectl apply -k` applies everything but the template.
    expect(ofKind('Kustomization')[0].resources.sort()).toEqual(files.filter((f) => f !== 'secret.example.yaml' && f !== 'kustomization.yaml'));
  });

  it('set only variables ferry reads, and a worker config that ferry accepts', () => {
    const map = (name: string) => ofKind('ConfigMap').find((m) => m.metadata.name === name)!;
    const config = ferryConfigSchema.parse(JSON.parse(map('ferry-config').data['config.json']));
    const passwordEnvs = Object.values(config.connections).flatMap((c) => (c.passwordEnv ? [c.passwordEnv] : []));
    // Every other variable is one the README or docs/deploy.md documents.
    const docs = ['README.md', 'docs/deploy.md'].map((f) => readFileSync(path.join(repoRoot, f), 'utf8')).join('\n');
    const names = [...Object.keys(map('ferry-env').data), ...containers.flatMap((c) => env(c).map((v) => v.name))];
    expect(names.filter((n) => !passwordEnvs.includes(n) && !new RegExp(`\`${n}[\` =]`).test(docs))).toEqual([]);
    // Each passwordEnv the config names is in the worker's environment, from the Secret.
    const worker = containers.find((c) => c.name === 'worker');
    for (const name of passwordEnvs) expect(env(worker).find((v) => v.name === name)?.valueFrom?.secretKeyRef?.key).toBe(name);
  });

  it('version the worker: one Deployment per build, its metrics port declared and annotated', () => {
    const [deployment] = ofKind('Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'worker');
    const pod = deployment.spec.template;
    const worker = pod.spec.containers[0];
    const value = (name: string) => env(worker).find((v) => v.name === name)?.value;
    const buildId = value('FERRY_BUILD_ID')!;
    expect(buildId).toBeTruthy();
    expect(value('FERRY_DEPLOYMENT_NAME')).not.toContain('.');
    // Two builds' Deployments side by side must neither share a name nor select each other's pods.
    expect(deployment.metadata.name).toBe(`ferry-worker-${buildId}`);
    expect(deployment.spec.selector.matchLabels['app.kubernetes.io/version']).toBe(buildId);
    expect(pod.metadata.labels['app.kubernetes.io/version']).toBe(buildId);
    const port = worker.ports.find((p: { name: string }) => p.name === 'metrics');
    expect(String(port.containerPort)).toBe(value('FERRY_METRICS_PORT'));
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': value('FERRY_METRICS_PORT') });
    expect(pod.spec.serviceAccountName).toBe(ofKind('ServiceAccount')[0].metadata.name);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(600); // prepare and cleanup may run 10 minutes
    expect(ofKind('ServiceAccount')[0].metadata.annotations).toHaveProperty(['eks.amazonaws.com/role-arn']);
  });

  it("roll out a new build with docs/deploy.md's sed line: a second valid Deployment that selects only its own pods", () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'ferry-k8s-'));
    try {
      const sed = spawnSync(
        'sed',
        ['-e', 's/-v1$/-v2/', '-e', 's/: v1$/: v2/', '-e', 's|image: ferry:latest|image: registry.example.com/ferry:v2|', 'worker.yaml'],
        {
          cwd: manifestDir,
          encoding: 'utf8',
        },
      );
      expect(sed.status).toBe(0);
      writeFileSync(path.join(scratch, 'worker-v2.yaml'), sed.stdout);
      const [v2] = parseAllDocuments(sed.stdout).map((d) => d.toJSON() as K8sObject);
      const v1 = ofKind('Deployment').find((d) => d.metadata.name === 'ferry-worker-v1')!;
      expect(v2.metadata.name).toBe('ferry-worker-v2');
      expect(v2.spec.selector.matchLabels).toEqual({ ...v1.spec.selector.matchLabels, 'app.kubernetes.io/version': 'v2' });
      const container = v2.spec.template.spec.containers[0];
      expect(container.image).toBe('registry.example.com/ferry:v2');
      expect(env(container).find((v) => v.name === 'FERRY_BUILD_ID')?.value).toBe('v2');
      expect(JSON.stringify(v2).replace('"apps/v1"', '')).not.toMatch(/\bv1\b/); // nothing of the old build is left
      const { code, output } = validate([path.join(manifestDir, 'worker.yaml'), path.join(scratch, 'worker-v2.yaml')]);
      expect(output).toContain('Valid: 2, Invalid: 0, Errors: 0');
      expect(code).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
