import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHandler } from "../../platform/dashboard-handler.ts";
import { createAwsStackforkEnv } from "../support/aws-stackfork-env.ts";
import { type GitHubApiDouble, startGitHubApiDouble } from "../support/github-api-double.ts";

const CLIENT = { clientId: "Iv1.lambda0000signin", clientSecret: "lambda-client-secret" };
const HOST = "dashboard.lambda-url";

// The dashboard Lambda signs a person in as the platform sets it up: the client id in its
// environment, the client secret read from Secrets Manager by ARN, the session in DynamoDB, and
// https everywhere (a Function URL), so GitHub is told to come back to an https callback.
describe("the dashboard Lambda signs people in with GitHub", () => {
  let work: string;
  let aws: Awaited<ReturnType<typeof createAwsStackforkEnv>>;
  let github: GitHubApiDouble;
  let dashboard: ReturnType<typeof createDashboardHandler>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), "stackfork-lambda-sign-in-"));
    aws = await createAwsStackforkEnv("lambda-sign-in");
    github = await startGitHubApiDouble({ tokens: ["ghp_lambda"], oauthClient: CLIENT });
    github.addRepository("acme/api");
    const secret = await aws.clients.secrets.send(
      new CreateSecretCommand({ Name: `${aws.prefix}/github-oauth-client-secret`, SecretString: CLIENT.clientSecret }),
    );
    dashboard = createDashboardHandler({
      ...process.env,
      ...aws.env,
      STACKFORK_DATA_DIR: path.join(work, "tmp-stackfork"),
      STACKFORK_CONFIG_JSON: JSON.stringify({ repositories: [{ name: "acme/api", target: "aws" }] }),
      STACKFORK_API_TOKEN: "lambda-api-token",
      GITHUB_TOKEN: "ghp_lambda",
      GITHUB_API_URL: github.baseUrl,
      GITHUB_WEB_URL: github.webUrl,
      GITHUB_OAUTH_CLIENT_ID: CLIENT.clientId,
      GITHUB_OAUTH_CLIENT_SECRET_ARN: secret.ARN,
      LOG_LEVEL: "warn",
    });
  });
  afterAll(async () => {
    await github?.close();
    aws?.clients.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  /** A Function URL request (payload 2.0), as AWS hands it to the function. */
  const get = async (url: string, cookies: string[] = []) => {
    const [rawPath = "", rawQueryString = ""] = url.split("?");
    return (await dashboard(
      {
        version: "2.0",
        rawPath,
        rawQueryString,
        // What the adapter reads the query from: a Function URL event carries both.
        queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
        cookies,
        headers: { host: HOST, accept: "text/html", "x-forwarded-proto": "https" },
        requestContext: { http: { method: "GET", path: rawPath, sourceIp: "203.0.113.9" }, requestId: "test" },
        isBase64Encoded: false,
      },
      {} as never,
    )) as { statusCode: number; headers: Record<string, string>; cookies?: string[]; body: string };
  };

  it("sends the browser to GitHub with an https callback, and signs it in with the secret from Secrets Manager", async () => {
    const start = await get("/login/github?next=/");
    expect(start.statusCode).toBe(302);
    const authorize = new URL(start.headers.location as string);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`https://${HOST}/login/github/callback`);
    const stateCookie = (start.cookies ?? []).find((c) => c.startsWith("stackfork_github_sign_in="));
    expect(stateCookie).toMatch(/; Secure/);

    github.signInAs("mona");
    const consent = await fetch(authorize, { redirect: "manual" });
    const back = new URL(consent.headers.get("location") as string);
    const callback = await get(`${back.pathname}${back.search}`, [String(stateCookie?.split(";")[0])]);
    expect(callback.statusCode, callback.body).toBe(200);
    const session = (callback.cookies ?? []).find((c) => c.startsWith("stackfork_session="));
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; Secure/);
    // Another request, as another instance would take it: the session is in DynamoDB.
    const list = await get("/", [String(session?.split(";")[0])]);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("Signed in as <strong>mona</strong>");
  });
});
