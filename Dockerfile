# One image for the worker and redshift-local (they differ only in the command).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/worker/package.json apps/worker/
COPY apps/redshift-local/package.json apps/redshift-local/
COPY libs/activities/package.json libs/activities/
COPY libs/config/package.json libs/config/
COPY libs/s3/package.json libs/s3/
COPY libs/sql/package.json libs/sql/
COPY libs/workflows/package.json libs/workflows/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY apps apps
COPY libs libs
ENV NODE_ENV=production
CMD ["npx", "tsx", "apps/worker/src/main.ts"]
