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
# A young generation of 4 MB semi-spaces, not 16: many small tables at once keep the worker
# under 300 MB (docs/benchmarks.md; `npm run bench` starts its worker with these options).
# The bundle's path is relative to the working directory, /app.
ENV NODE_ENV=production FERRY_WORKFLOW_BUNDLE=dist/ferry-workflows.js NODE_OPTIONS=--max-semi-space-size=4
CMD ["npx", "tsx", "apps/worker/src/main.ts"]
