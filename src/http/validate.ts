import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { errorBody } from "./errors.ts";

/** zod validation with the project's error shape: 400 `bad_request` naming the first bad field. */
export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.join(".") || target;
      return c.json(errorBody("bad_request", `${where}: ${issue?.message ?? "invalid"}`), 400);
    }
  });
