import type { BuildOptions } from "esbuild";

/**
 * How the zip functions (webhook, dashboard, reaper) are bundled: minified ESM, node 22 as their
 * runtime, `index.mjs` plus the chunks of what it imports dynamically (splitting). What those
 * functions load only on paths they never take (SQLite in `openStores`, the Automation API in
 * `createProvisioner`) stays in a chunk never loaded, and its own imports of packages left out
 * (the Pulumi SDK, better-sqlite3's native code) are never resolved: a cold start parses only what
 * it runs. The bundle benchmark (bench/webhook-lambda.ts) uses these options too, so it measures
 * what is deployed. Give `outdir` (and `write: false` to keep the files in memory).
 */
export const lambdaBundleOptions = {
  bundle: true,
  minify: true,
  platform: "node",
  target: "node22",
  format: "esm",
  splitting: true,
  entryNames: "index",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  external: ["@pulumi/*", "better-sqlite3", "@sparticuz/chromium", "playwright-core"],
  banner: {
    // Bundled CommonJS packages call `require`; ESM has none of its own.
    js: 'import{createRequire as __sfRequire}from"node:module";const require=__sfRequire(import.meta.url);',
  },
  legalComments: "none",
  logLevel: "silent",
} satisfies BuildOptions;
