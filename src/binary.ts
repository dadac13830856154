/** Entrypoint of the self-contained executable: the embedded web client, then the server. */
import { embeddedClient } from "./http/embedded-client.generated.ts";
import { useEmbeddedClient } from "./http/static.ts";

useEmbeddedClient(embeddedClient);
await import("./main.ts");
