# 联动执法协作平台 — one image for the API (`npm run api`, the default) and the worker (`npm run worker`).
# docker-compose.yml builds it once and runs it as both services (and `npm run temporal:setup`, `npm run db:migrate`).

# Build stage: `npm run build` compiles to JavaScript (dist/) and pre-bundles the workflow code, so neither tsc nor
# webpack runs when a container starts.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the root's postinstall looks for the Temporal binaries, which only npm start and the tests use.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim

# Chinese fonts for rendered documents (PDF reports, screenshots); CA certificates for SMTP and Temporal over TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk ca-certificates \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them; dev dependencies are not needed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit \
 && npm cache clean --force

# The sources stay beside dist/: migrations, the console's files and the roster are read from them, and the worker
# checks that the pre-built workflow bundle was built from them. The one-shot scripts (migrate, setup) run on tsx.
COPY . .
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/.data && chown -R node:node /app/.data

USER node
EXPOSE 3000

CMD ["npm", "run", "api"]
