# syntax=docker/dockerfile:1
# `stackfork serve` in a container (docker-compose.yml): webhook, worker and dashboard in one
# process, its data under the /data volume. The worker runs the pulumi engine, so the image carries
# the pinned CLI (the version of @pulumi/pulumi in package.json; a test checks) and git.
# Building needs get.pulumi.com (the CLI's release tarball) and npm's registry; the machine this
# repository is developed on reaches neither, so the image has not been built there.

ARG PULUMI_VERSION=3.248.0

FROM node:20-bookworm-slim AS pulumi
ARG PULUMI_VERSION
ADD https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz /tmp/pulumi.tar.gz
# The tarball holds pulumi/<binaries>; the provisioner expects <root>/bin/pulumi.
RUN mkdir -p /opt/pulumi \
  && tar -xzf /tmp/pulumi.tar.gz -C /opt/pulumi \
  && mv /opt/pulumi/pulumi /opt/pulumi/bin \
  && /opt/pulumi/bin/pulumi version | grep -qx "v${PULUMI_VERSION}"

# Production modules. Install scripts stay off (the root package's would build a CLI with Go), then
# run for the two packages that need theirs: better-sqlite3's native module (the embedded registry
# and queue) and esbuild's binary check. The compilers are only for a better-sqlite3 without a
# prebuilt binary for this Node.js; they stay in this stage.
FROM node:20-bookworm-slim AS modules
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3 esbuild

FROM node:20-bookworm-slim
# git: sources from local clones (`git archive`); ca-certificates: GitHub and AWS over TLS.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates git tini \
  && rm -rf /var/lib/apt/lists/*
COPY --from=pulumi /opt/pulumi /opt/pulumi
WORKDIR /app
COPY --from=modules /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /data
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=8080 \
  STACKFORK_DATA_DIR=/data \
  PULUMI_CLI=/opt/pulumi/bin/pulumi \
  PATH=/opt/pulumi/bin:${PATH} \
  PULUMI_SKIP_UPDATE_CHECK=true
# stackfork runs as root in its container so that it can build each job's sandbox (a mount
# namespace) and run the branch's code in it as a uid of its own (STACKFORK_SANDBOX_UID) with no
# capability; docker-compose.yml grants the container what that takes (README, "Security model").
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini as PID 1: the engine's child processes are reaped and SIGTERM reaches `serve`, which stops
# its jobs cleanly within shutdownGraceSeconds.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["npx", "tsx", "cli/stackfork.ts", "serve"]
