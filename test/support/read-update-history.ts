import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { listObjectKeys } from "./s3-objects.ts";

export interface UpdateRecord {
  /** update, refresh, destroy... */
  kind: string;
  /** succeeded, failed */
  result: string;
  /** Unix seconds, as the backend records them. */
  startTime: number;
  endTime: number;
  key: string;
}

/**
 * A stack's update history from Pulumi's DIY backend in S3, as `pulumi stack history` reads it:
 * one `.pulumi/history/<project>/<stack>/<stack>-<unix nanoseconds>.history.json` per finished
 * update (written when the update ends, failed or not; an engine killed midway writes none),
 * ordered by start time.
 */
export async function readUpdateHistory(
  s3: S3Client,
  bucket: string,
  project: string,
  stack: string,
): Promise<UpdateRecord[]> {
  const keys = (await listObjectKeys(s3, bucket, `.pulumi/history/${project}/${stack}/`)).filter((key) =>
    key.endsWith(".history.json"),
  );
  const records = await Promise.all(
    keys.map(async (key) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const info = JSON.parse((await object.Body?.transformToString()) ?? "{}") as Omit<UpdateRecord, "key">;
      return { kind: info.kind, result: info.result, startTime: info.startTime, endTime: info.endTime, key };
    }),
  );
  return records.sort((a, b) => a.startTime - b.startTime || a.endTime - b.endTime);
}
