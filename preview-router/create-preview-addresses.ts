import type { Environment } from "../core/environment.ts";
import { isBehindRouter } from "./is-behind-router.ts";

export interface PreviewAddressOptions {
  /** `previewDomain`: every environment is `<name>.<domain>`. @default "localhost" */
  domain: string;
  /** `previewPort`, or the server's own port; 0 until the server knows it (PORT=0). */
  port: number;
}

/** The Environment JSON as people see it: `url` routed when the copy is behind the router, `directUrl` its own. */
export type PresentedEnvironment = Environment & { directUrl?: string };

/**
 * Preview addresses, computed at the edges (API, pages, GitHub notices) from an environment's name
 * and the config, never stored: the registry keeps the copy's own URL (what the provisioner made),
 * so both registry adapters stay as they are and a change of `previewDomain` needs no migration.
 */
export function createPreviewAddresses(options: PreviewAddressOptions) {
  let port = options.port;
  const domain = options.domain.toLowerCase();
  const routedUrlOf = (name: string) => `http://${name}.${domain}${port === 80 ? "" : `:${port}`}`;
  return {
    domain,
    /** Where the server turned out to listen, when `previewPort` was not set and PORT was 0. */
    setPort(listening: number) {
      port = listening;
    },
    port: () => port,
    routedUrlOf,
    present(environment: Environment): PresentedEnvironment {
      if (!environment.url) return environment;
      const directUrl = environment.url;
      return { ...environment, url: isBehindRouter(directUrl) ? routedUrlOf(environment.name) : directUrl, directUrl };
    },
  };
}

export type PreviewAddresses = ReturnType<typeof createPreviewAddresses>;
