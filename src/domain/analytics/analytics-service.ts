import type { Analytics } from "../../ports/index.ts";
import type { AnalyticsRange, AnalyticsReport } from "../../protocol/index.ts";
import type { Principal } from "../auth/auth-service.ts";
import { fail } from "../errors.ts";

/** The dashboard's numbers, for administrators only (usernames from ADMIN_USERNAMES). */
export class AnalyticsService {
  constructor(private analytics: Analytics, private admins: ReadonlySet<string>) {}

  isAdmin(me: Principal): boolean {
    return this.admins.has(me.username);
  }

  async report(me: Principal, range: AnalyticsRange): Promise<AnalyticsReport> {
    if (!this.isAdmin(me)) fail("forbidden", "analytics are for administrators");
    return this.analytics.report(range, Date.now());
  }
}
