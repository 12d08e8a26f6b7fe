# Bulk SMS service image. Build: docker build -t bulk-sms .   Run: see docker-compose.yml and docs/production.md.

# --- build: all dependencies, Prisma client generated (no engine download), TypeScript compiled ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY bench ./bench
COPY test/utils ./test/utils
RUN npm run build

# --- runtime: production dependencies only, the compiled app, the migrations; runs as `node` ---
FROM node:20-bookworm-slim AS runtime
# glibc's malloc as in `npm start`: two arenas, not one per thread, and free memory at the top of a heap given
# back at once (docs/production.md).
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=0
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the Prisma client is compiled into dist already (postinstall would regenerate it).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY prisma ./prisma
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same command as `npm start` (package.json), without npm in between so signals reach the app.
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=2", "dist/src/main.js"]
