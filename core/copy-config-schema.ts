import * as z from "zod";

/** A config value as written in JSON: a string, or a number or boolean (kept as its text, as `pulumi config set` does). */
const configValueSchema = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** `{ key: value }`; a key without a namespace is the project's own (`memorySize` -> `<project>:memorySize`). */
export const configValuesSchema = z.record(
  z.string().regex(/^[\w.-]+(:[\w.-]+)?$/, "must be key or namespace:key"),
  configValueSchema,
);

/**
 * Where a copy's config starts: a stack of the same project in stackfork's backend (its plain and
 * secret values), or the stack config file in the branch (`Pulumi.<stack>.yaml`: its plain values;
 * its `secure:` ones are the stack's of that name, read from the backend when it exists).
 * @example { "stack": "prod" }
 * @example { "file": "Pulumi.prod.yaml" }
 */
export const templateSchema = z.union([
  z.object({ stack: z.string().regex(/^[\w.-]{1,100}$/, "must be a stack name") }).strict(),
  z
    .object({
      file: z
        .string()
        .regex(/^Pulumi\.[\w.-]+\.ya?ml$/, "must be Pulumi.<stack>.yaml, beside the stack project's Pulumi.yaml"),
    })
    .strict(),
]);

/** Platform config for some copies: by kind, by branch glob (`feature/*`), or both; none: every copy. */
export const overrideSchema = z
  .object({
    kind: z.enum(["branch", "pull_request", "sandbox"]).optional(),
    /** `*` any characters but `/`, `**` any characters, `?` one character. */
    branch: z.string().min(1).max(200).optional(),
    config: configValuesSchema,
  })
  .strict();

/**
 * A step run once after a copy's first successful deploy: a command in the branch's checkout (in
 * the job's sandbox), or a JSON / NDJSON file of items for the table a stack output names.
 * @example { "command": ["node", "scripts/seed.mjs"] }
 * @example { "items": "seed/items.ndjson", "tableOutput": "tableName" }
 */
export const seedSchema = z.union([
  z.object({ command: z.array(z.string().min(1)).min(1) }).strict(),
  z
    .object({
      items: z
        .string()
        .min(1)
        .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), "must be a path inside the repository"),
      tableOutput: z.string().min(1),
    })
    .strict(),
]);

/** The per-repository keys of a copy's config (issue 19's contract). */
export const copyConfigShape = {
  template: templateSchema.optional(),
  overrides: z.array(overrideSchema).optional(),
  /** Keys a copy never takes from the template (production's payment key): a preview value may come from an override. */
  neverCopy: z.array(z.string().regex(/^[\w.-]+(:[\w.-]+)?$/, "must be key or namespace:key")).optional(),
  seed: seedSchema.optional(),
};

export type TemplateConfig = z.infer<typeof templateSchema>;
export type PlatformOverride = z.infer<typeof overrideSchema>;
export type SeedConfig = z.infer<typeof seedSchema>;
