import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The image installs its dependencies from the workspaces' manifests before copying the
// sources (so a code change reuses the npm ci layer): a workspace missing from that list makes
// `npm ci` fail or install a tree without it.
describe('Dockerfile', () => {
  const root = path.resolve(__dirname, '../../..');
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it("copies every workspace's package.json before npm ci", () => {
    const workspaces = ['apps', 'libs'].flatMap((dir) => readdirSync(path.join(root, dir)).map((name) => `${dir}/${name}`)).sort();
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    const copied = [...beforeInstall.matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map((m) => m[1]).sort();
    expect(copied).toEqual(workspaces);
  });
});
