# One image for the worker and redshift-local (they differ only in the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Every workspace's manifest (a test keeps this list whole): npm ci installs the tree from them.
COPY apps/cli/package.json apps/cli/
COPY apps/redshift-local/package.json apps/redshift-local/
COPY apps/worker/package.json apps/worker/
COPY libs/activities/package.json libs/activities/
COPY libs/checksum/package.json libs/checksum/
COPY libs/codec/package.json libs/codec/
COPY libs/config/package.json libs/config/
COPY libs/contract/package.json libs/contract/
COPY libs/db-auth/package.json libs/db-auth/
COPY libs/observability/package.json libs/observability/
COPY libs/pipeline/package.json libs/pipeline/
COPY libs/postgres/package.json libs/postgres/
COPY libs/redshift/package.json libs/redshift/
COPY libs/s3/package.json libs/s3/
COPY libs/sql/package.json libs/sql/
COPY libs/type-map/package.json libs/type-map/
COPY libs/workflows/package.json libs/workflows/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY apps apps
COPY libs libs
# Workflows bundled at build time: the worker skips webpack at startup (less memory, faster).
RUN npx tsx apps/worker/src/build-workflow-bundle.ts dist/ferry-workflows.js
# A young generation of 4 MB semi-spaces, not 16: many small tables at once keep the worker
# under 300 MB (docs/benchmarks.md; `npm run bench` starts its worker with these options).
ENV NODE_ENV=production FERRY_WORKFLOW_BUNDLE=/app/dist/ferry-workflows.js NODE_OPTIONS=--max-semi-space-size=4
CMD ["npx", "tsx", "apps/worker/src/main.ts"]
