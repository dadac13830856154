import { protocolSuite } from "./suite.ts";

protocolSuite("embedded", () => ({}));
