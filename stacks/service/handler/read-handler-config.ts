import * as z from "zod";

/** What `GET /` says about the copy. */
export interface CopyDescription {
  environment: string;
  repository: string;
  branch: string;
  commit: string;
  owner?: string;
}

export interface HandlerConfig {
  tableName: string;
  /** Only in the local target: the DynamoDB-compatible store on loopback. Absent on AWS. */
  dynamodbEndpoint?: string;
  copy: CopyDescription;
}

/** The handler's environment variables, set by the program (aws) or by the copy's process (local). */
const envSchema = z.object({
  TABLE_NAME: z.string().min(3).max(255),
  STACKFORK_ENVIRONMENT: z.string().min(1),
  STACKFORK_REPOSITORY: z.string().min(1),
  STACKFORK_BRANCH: z.string().min(1),
  STACKFORK_COMMIT: z.string().min(1),
  STACKFORK_OWNER: z.string().min(1).optional(),
  DYNAMODB_ENDPOINT: z.url().optional(),
});

/** Reads the handler's config once, from `env` passed in; every problem is reported together. */
export function readHandlerConfig(env: Record<string, string | undefined>): HandlerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid handler environment: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return Object.freeze({
    tableName: e.TABLE_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    copy: Object.freeze({
      environment: e.STACKFORK_ENVIRONMENT,
      repository: e.STACKFORK_REPOSITORY,
      branch: e.STACKFORK_BRANCH,
      commit: e.STACKFORK_COMMIT,
      ...(e.STACKFORK_OWNER ? { owner: e.STACKFORK_OWNER } : {}),
    }),
  });
}
