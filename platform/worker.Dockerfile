# syntax=docker/dockerfile:1
# The worker Lambda's image: Node.js 20 Lambda runtime, stackfork's code and production modules, the
# pinned pulumi CLI and the AWS provider plugin. The platform program builds it with the versions of
# @pulumi/pulumi and @pulumi/aws in package.json (the defaults below are the same; a test checks).
# Building needs get.pulumi.com and GitHub's release downloads (the plugin); the machine this
# repository is developed on reaches neither, so the image has not been built there.

ARG PULUMI_VERSION=3.248.0
ARG PULUMI_AWS_VERSION=7.48.0

# The CLI (a static Go binary) from the official release tarball, and the plugin it installs.
FROM node:20-bookworm-slim AS pulumi
ARG PULUMI_VERSION
ARG PULUMI_AWS_VERSION
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ADD https://get.pulumi.com/releases/sdk/pulumi-v${PULUMI_VERSION}-linux-x64.tar.gz /tmp/pulumi.tar.gz
# The tarball holds pulumi/<binaries>; the provisioner expects <root>/bin/pulumi.
RUN mkdir -p /opt/pulumi \
  && tar -xzf /tmp/pulumi.tar.gz -C /opt/pulumi \
  && mv /opt/pulumi/pulumi /opt/pulumi/bin \
  && PULUMI_HOME=/tmp/pulumi-home /opt/pulumi/bin/pulumi plugin install resource aws "${PULUMI_AWS_VERSION}" \
  && mv /tmp/pulumi-home/plugins /opt/pulumi/plugins \
  && test -x "/opt/pulumi/plugins/resource-aws-v${PULUMI_AWS_VERSION}/pulumi-resource-aws" \
  && /opt/pulumi/bin/pulumi version | grep -qx "v${PULUMI_VERSION}"

# Production modules, installed on the runtime's own image (its libc). Install scripts stay off:
# the root package's would build a CLI with Go; the worker needs no native module (STACKFORK_STORE=aws).
FROM public.ecr.aws/lambda/nodejs:20 AS modules
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM public.ecr.aws/lambda/nodejs:20
COPY --from=pulumi /opt/pulumi /opt/pulumi
COPY --from=modules /build/node_modules ${LAMBDA_TASK_ROOT}/node_modules
COPY . ${LAMBDA_TASK_ROOT}/
# Lambda's Node.js runtime loads .js/.mjs/.cjs handlers only: a small ESM file registers tsx and
# re-exports the TypeScript handler, so the sources run as they are in the repository.
RUN printf '%s\n' \
  'import { register } from "tsx/esm/api";' \
  'register();' \
  'export const { handler } = await import("./worker-handler.ts");' \
  > ${LAMBDA_TASK_ROOT}/platform/worker-handler.mjs
# Everything but /tmp is read-only at run time: homes and caches go there. The plugins baked above
# are linked into PULUMI_HOME/plugins at cold start (platform/link-baked-plugins.ts); no download.
ENV PULUMI_CLI=/opt/pulumi/bin/pulumi \
  PATH=/opt/pulumi/bin:${PATH} \
  STACKFORK_PLUGINS_DIR=/opt/pulumi/plugins \
  PULUMI_SKIP_UPDATE_CHECK=true \
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true \
  HOME=/tmp \
  npm_config_cache=/tmp/npm-cache \
  STACKFORK_DATA_DIR=/tmp/stackfork
CMD ["platform/worker-handler.handler"]
