/** The LocalCopy dynamic resource's inputs, as stored in the stack's state. */
export interface LocalCopyInputs {
  /** Absolute path of local-copy-provider.ts in the checkout being deployed. */
  providerModule: string;
  /** Absolute path of run-copy.ts in the same checkout: the code the copy runs. */
  serveEntry: string;
  /** Hash of the service's code, so a change without a new commit (a working tree) restarts it too. */
  codeHash: string;
  dataDir: string;
  tableName: string;
  environment: string;
  repository: string;
  branch: string;
  commit: string;
  owner?: string;
}

export interface LocalCopyOutputs extends LocalCopyInputs {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
}

/** Every input; a change to any of them restarts the copy in place (never a replacement). */
export const LOCAL_COPY_INPUT_KEYS = [
  "providerModule",
  "serveEntry",
  "codeHash",
  "dataDir",
  "tableName",
  "environment",
  "repository",
  "branch",
  "commit",
  "owner",
] as const satisfies readonly (keyof LocalCopyInputs)[];
