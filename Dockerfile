# 联动执法协作平台 — one image for the API (`npm run api`, the default) and the worker (`npm run worker`).
# docker-compose.yml builds it once and runs it as both services.
FROM node:20-bookworm-slim

# Chinese fonts for rendered documents (PDF reports, screenshots); CA certificates for SMTP over TLS.
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

# Dependencies first, so that a code change does not reinstall them. The app runs from its
# TypeScript sources through tsx (a runtime dependency); dev dependencies are not needed.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit \
 && npm cache clean --force

COPY . .
RUN mkdir -p /app/.data && chown -R node:node /app/.data

USER node
EXPOSE 3000

CMD ["npm", "run", "api"]
