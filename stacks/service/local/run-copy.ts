// The copy's process: `node --import tsx run-copy.ts <dataDir>`, started detached by the LocalCopy
// dynamic resource. PORT and the handler's variables come from its environment.
import { rmSync, writeFileSync } from "node:fs";
import { copyFiles } from "./copy-files.ts";
import { serveCopy } from "./serve-copy.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: run-copy.ts <dataDir>");
const { pidFile, endpointFile } = copyFiles(dataDir);

const copy = await serveCopy({ dataDir, port: Number(process.env.PORT ?? 0), env: process.env });
writeFileSync(endpointFile, `${copy.dynamodbEndpoint}\n`);
writeFileSync(pidFile, `${process.pid}\n`);
console.log(
  `${new Date().toISOString()} copy ${process.env.STACKFORK_ENVIRONMENT} at ${process.env.STACKFORK_COMMIT} serving ${copy.url} (pid ${process.pid})`,
);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    console.log(`${new Date().toISOString()} ${signal}: stopping`);
    await copy.close();
    rmSync(pidFile, { force: true });
    rmSync(endpointFile, { force: true });
    process.exit(0);
  });
}
