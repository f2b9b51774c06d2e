import type { BuildOptions } from "esbuild";

/**
 * How the zip functions (webhook, dashboard, reaper) are bundled: one minified ESM file per entry
 * point, node 22 as their runtime. Left out: what those functions load only on paths they never take
 * (the Automation API and SQLite are the worker's and `serve`'s; better-sqlite3 is native code), so a
 * cold start parses only what it runs. The bundle benchmark (bench/webhook-lambda.ts) uses these
 * options too, so it measures what is deployed.
 */
export const lambdaBundleOptions = {
  bundle: true,
  minify: true,
  platform: "node",
  target: "node22",
  format: "esm",
  external: ["@pulumi/*", "better-sqlite3", "@sparticuz/chromium", "playwright-core"],
  banner: {
    // Bundled CommonJS packages call `require`; ESM has none of its own.
    js: 'import{createRequire as __sfRequire}from"node:module";const require=__sfRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "silent",
} satisfies BuildOptions;
