# One image for the worker, the `ferry` CLI and redshift-local (they differ only in the command).
# Node matches the version CI tests on; tests/deploy-files.test.ts replays these steps.
FROM node:20.20.2-bookworm-slim AS manifests
WORKDIR /src
COPY apps apps
COPY libs libs
# Only the workspaces' package.json files stay, found rather than listed: the install layer
# below is rebuilt when a manifest changes, not when a source file does.
RUN find apps libs -type f ! -name package.json -delete && find apps libs -depth -type d -empty -delete

FROM node:20.20.2-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /src ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY apps apps
COPY libs libs
# A workspace's bin (the `ferry` command) is linked only once its file exists: now.
RUN npm rebuild --ignore-scripts
# Workflows bundled at build time: the worker skips webpack at startup (less memory, faster).
RUN npx tsx apps/worker/src/build-workflow-bundle.ts dist/ferry-workflows.js
# The main thread's heap: 4 MB semi-spaces, not 16, and an old space of at most 384 MB, which
# also makes V8 collect it well before that: a 200-table pipeline's worker peaks at ~230 MB
# instead of 250–355 (docs/benchmarks.md; `npm run bench` starts its worker with these options).
# Its live heap is ~50–150 MB; raise the cap in NODE_OPTIONS if a worker ever stops with
# "JavaScript heap out of memory".
ENV NODE_ENV=production FERRY_WORKFLOW_BUNDLE=dist/ferry-workflows.js NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=384"
# The node image's unprivileged user (uid 1000, as deploy/kubernetes runs it): the image's
# files are root's and read-only to it; tsx caches under /tmp.
USER node
# One node process, TypeScript through tsx's require hook: `npx tsx` would add npm's and tsx's
# own node processes (307 MB idle in all, against 171; docs/benchmarks.md).
CMD ["node", "--require", "tsx/cjs", "apps/worker/src/main.ts"]
