/** Variables branch code may see as they are in the server's environment: locale, proxies, CAs, the AWS region and endpoints. */
const ALLOWED = new Set([
  "LANG",
  "LANGUAGE",
  "TZ",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NODE_EXTRA_CA_CERTS",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
]);
/** `LC_ALL`, `LC_CTYPE`...; `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` (an emulator, a VPC endpoint). */
const ALLOWED_PREFIXES = ["LC_", "AWS_ENDPOINT_URL"];

/**
 * The part of the server's environment that reaches branch code (its stack program, the engine,
 * dynamic providers, `npm ci`, a local copy): an allow-list, never a deny-list, since an operator's
 * shell may hold any secret under any name. PATH, HOME, the engine's settings and the job's own
 * credentials are added by the provisioner for each job.
 */
export function pickRunnerEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (ALLOWED.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix))) picked[name] = value;
  }
  return picked;
}
