import type { FastifyInstance } from "fastify";
import { StackforkError } from "../core/errors.ts";
import { pollDeviceToken } from "../sign-in/poll-device-token.ts";
import { readGitHubLogin } from "../sign-in/read-github-login.ts";
import { requestDeviceCode } from "../sign-in/request-device-code.ts";
import type { GitHubSignInClient, PersonSessions } from "../sign-in/sign-in-options.ts";
import { dateTimeSchema, errorResponses } from "./api-schemas.ts";

export interface DeviceLoginDeps {
  /** Absent: sign-in is off and these routes answer SIGN_IN_OFF. */
  signIn?: { client: GitHubSignInClient; sessions: PersonSessions };
}

const deviceCodeSchema = {
  type: "object",
  required: ["deviceCode", "userCode", "verificationUri", "interval", "expiresIn"],
  properties: {
    deviceCode: { type: "string", description: "Send it back to /api/login/device/token; show it to nobody." },
    userCode: { type: "string", description: "What the person enters at verificationUri." },
    verificationUri: { type: "string" },
    interval: { type: "integer", description: "Seconds to wait between polls." },
    expiresIn: { type: "integer", description: "Seconds until the codes expire." },
  },
} as const;

const pollSchema = {
  type: "object",
  required: ["status"],
  properties: {
    status: { type: "string", enum: ["pending", "slow_down", "signed_in"] },
    interval: { type: "integer", description: "slow_down: the new number of seconds between polls." },
    login: { type: "string", description: "signed_in: the person's GitHub login." },
    token: { type: "string", description: "signed_in: stackfork's token for that person (Bearer); shown once." },
    expiresAt: dateTimeSchema,
  },
} as const;

/**
 * `stackfork login` through GitHub's device flow, mediated by the server so the client secret and
 * GitHub's user token never leave it: the CLI asks for a code, shows it, and polls here; once the
 * person approved, the server reads who they are and answers a token of stackfork's own.
 */
export function registerDeviceLoginRoutes(api: FastifyInstance, deps: DeviceLoginDeps): void {
  const signIn = () => {
    if (!deps.signIn)
      throw new StackforkError(
        "SIGN_IN_OFF",
        "sign-in with GitHub is off on this server (GITHUB_OAUTH_CLIENT_ID / GITHUB_OAUTH_CLIENT_SECRET); use the API token",
      );
    return deps.signIn;
  };

  api.post(
    "/api/login/device",
    {
      schema: {
        summary: "Starts `stackfork login`: a GitHub device code for the person to enter",
        tags: ["sign-in"],
        response: { 200: deviceCodeSchema, ...errorResponses },
      },
    },
    async () => requestDeviceCode(signIn().client),
  );

  api.post(
    "/api/login/device/token",
    {
      schema: {
        summary: "One poll of `stackfork login`: pending, slow down, or the person's stackfork token",
        tags: ["sign-in"],
        body: {
          type: "object",
          required: ["deviceCode"],
          additionalProperties: false,
          properties: { deviceCode: { type: "string", minLength: 1, maxLength: 200 } },
        },
        response: { 200: pollSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { client, sessions } = signIn();
      const { deviceCode } = request.body as { deviceCode: string };
      const poll = await pollDeviceToken(client, deviceCode);
      if (poll.status !== "approved") return poll;
      const login = await readGitHubLogin(poll.userToken, client.apiUrl);
      const { secret, session } = await sessions.startPersonSession({ login, via: "cli" });
      request.log.info({ login, via: "cli" }, "signed in with GitHub");
      return { status: "signed_in", login, token: secret, expiresAt: session.expiresAt };
    },
  );

  api.post(
    "/api/logout",
    {
      schema: {
        summary: "Ends the session of the person token sent as Bearer (`stackfork logout`), at once",
        tags: ["sign-in"],
        response: { 204: { type: "null", description: "Ended (or there was none)." }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
      if (match?.[1] && deps.signIn) await deps.signIn.sessions.endPersonSession(match[1]);
      return reply.code(204).send();
    },
  );
}
