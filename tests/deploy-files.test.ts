import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ComposeTransferInput, ComposeTransferResult } from './support/compose-transfer';
import { dockerIgnore, filesUnder, parseDockerfile, replayDockerfile, type Replay } from './support/dockerfile-replay';
import { repoRoot } from './support/processes';

// The Dockerfile and docker-compose.yml, without a Docker engine: the image's steps replayed
// in a scratch folder on the base image's Node and Debian (this machine's), then every compose
// service started from that replay as a process, and a table moved through them.
describe('deploy files', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ferry-image-'));
  const workspaces = ['apps', 'libs'].flatMap((dir) => readdirSync(path.join(repoRoot, dir)).map((name) => `${dir}/${name}`)).sort();
  let image: Replay;

  beforeAll(() => {
    // PostgreSQL, run as its own user by the compose test, must reach its data folder.
    chmodSync(scratch, 0o755);
    image = replayDockerfile({
      contextDir: repoRoot,
      dockerfile: path.join(repoRoot, 'Dockerfile'),
      scratch: path.join(scratch, 'ferry'),
      baseEnv: process.env,
    });
  }, 600_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds every workspace manifest without a list, and installs each workspace', () => {
    expect(filesUnder(image.roots.get('manifests')!)).toEqual(workspaces.map((w) => `src/${w}/package.json`));
    const app = path.join(image.root, image.workdir);
    for (const w of workspaces) {
      const name = (JSON.parse(readFileSync(path.join(repoRoot, w, 'package.json'), 'utf8')) as { name: string }).name;
      expect(readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')).toContain(`"name": "${name}"`);
    }
  });

  it('leaves what the machine built or installed out of the image', () => {
    const ignored = dockerIgnore(repoRoot);
    for (const p of [
      'node_modules/x',
      'apps/cli/node_modules/yaml/package.json',
      'libs/config/node_modules/x',
      'dist/a.js',
      'apps/worker/dist/a.js',
      '.tools/bin/temporal',
      '.data/x',
      '.git/HEAD',
    ])
      expect([p, ignored(p)]).toEqual([p, true]);
    for (const p of ['apps/worker/src/main.ts', 'libs/postgres/package.json', 'package-lock.json']) expect([p, ignored(p)]).toEqual([p, false]);
  });

  it('runs the ferry command and carries the prebuilt workflow bundle', () => {
    const app = path.join(image.root, image.workdir);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...image.env };
    expect(execFileSync('npx', ['ferry', '--help'], { cwd: app, env, encoding: 'utf8' })).toMatch(/codec-server/);
    expect(readFileSync(path.join(app, image.env.FERRY_WORKFLOW_BUNDLE), 'utf8').slice(0, 60)).toMatch(/^\/\* ferry workflow bundle, failure messages plain/);
    // One process: node itself, not npx's and tsx's wrappers around it.
    expect(image.cmd).toEqual(['node', '--require', 'tsx/cjs', 'apps/worker/src/main.ts']);
    expect(image.user).toBe('node');
  });

  it("names in the PostgreSQL image the Debian packages tools/setup.sh's scripts install here", () => {
    const [stage] = parseDockerfile(readFileSync(path.join(repoRoot, 'tools/docker/postgres.Dockerfile'), 'utf8'));
    const install = stage.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('apt-get install'))!;
    const packages = [...install.args.replace(/\$PG_MAJOR/g, '15').matchAll(/"([^"]+)"|(python3-\S+)/g)].map((m) => m[1] ?? m[2]);
    expect(packages).toEqual(['postgresql-15-postgis-3', 'postgresql-plpython3-15', 'python3-boto3']);
    for (const p of packages) expect(execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' })).toBe('install ok installed');
  });

  it('starts every compose service as a process and moves every Redshift type through them exactly', async () => {
    const postgresImage = replayDockerfile({
      contextDir: repoRoot,
      dockerfile: path.join(repoRoot, 'tools/docker/postgres.Dockerfile'),
      scratch: path.join(scratch, 'postgres'),
      baseEnv: process.env,
      runsHere: () => false, // its apt-get step: the packages are checked above
    });
    const input: ComposeTransferInput = {
      composeFile: path.join(repoRoot, 'docker-compose.yml'),
      image,
      postgresImage,
      scratch,
      toolsBin: path.join(repoRoot, '.tools/bin'),
      resultFile: path.join(scratch, 'result.json'),
    };
    writeFileSync(
      path.join(scratch, 'input.json'),
      JSON.stringify({ ...input, image: { ...image, roots: [] }, postgresImage: { ...postgresImage, roots: [] } }),
    );
    // Own network, mounts and processes: compose's ports and host names, and nothing left running.
    const child = spawn(
      'unshare',
      [
        '--net',
        '--mount',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        process.execPath,
        '--import',
        'tsx',
        path.join(__dirname, 'support/compose-transfer.ts'),
        path.join(scratch, 'input.json'),
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`compose run failed (${code}):\n${output}\n${logsOf(scratch)}`);

    const result = JSON.parse(readFileSync(input.resultFile, 'utf8')) as ComposeTransferResult;
    expect(result.transferred).toBe(result.sourceRows.length);
    expect(result.sourceRows.length).toBeGreaterThan(5);
    for (const [i, row] of result.sourceRows.entries()) expect(result.targetRows[i]).toEqual(row);
    expect(result.targetRows).toHaveLength(result.sourceRows.length);
    expect(result.awsS3Import).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two, too' },
    ]);
    // The worker loaded the image's prebuilt bundle rather than bundling at start.
    expect(result.workerLog).not.toMatch(/webpack/i);
    // As the image's USER, the node image's uid 1000, which deploy/kubernetes runs it as too.
    expect(result.workerUid).toBe(1000);
  }, 600_000);
});

function logsOf(scratch: string): string {
  try {
    const dir = path.join(scratch, 'logs');
    return readdirSync(dir)
      .map((f) => `--- ${f}\n${readFileSync(path.join(dir, f), 'utf8').slice(-3000)}`)
      .join('\n');
  } catch {
    return '';
  }
}
