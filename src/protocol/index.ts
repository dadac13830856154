export * from "./errors.ts";
export * from "./schemas.ts";
export * from "./rest.ts";
export * from "./activity.ts";
export * from "./search.ts";
export * from "./emoji.ts";
