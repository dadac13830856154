import { searchSuite } from "./suite.ts";

searchSuite("embedded", () => ({}));
