import type { AccountStore, RateLimiter, TicketStore } from "../../ports/index.ts";
import type { Notifier } from "../notifier.ts";
import { fail } from "../errors.ts";
import { newId } from "../ids.ts";
import type { User } from "../model.ts";
import { LoginThrottle, type ThrottleLimits } from "./login-throttle.ts";
import type { TokenService } from "./tokens.ts";
import { NO_ACTIVITY, type ActivityRecorder } from "../activity.ts";

export interface AuthLimits extends ThrottleLimits {
  ticketTtlSec: number;
}

export interface Principal {
  userId: string;
  username: string;
  sessionId: string;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: number;
  user: { id: string; username: string };
}

/** Verifying against this keeps an unknown username as slow as a wrong password. Made on first use. */
let dummyHash: Promise<string> | null = null;
const getDummyHash = () => (dummyHash ??= Bun.password.hash("not-a-real-password", { algorithm: "argon2id" }));

export class AuthService {
  private throttle: LoginThrottle;

  constructor(
    private accounts: AccountStore,
    private tokens: TokenService,
    private tickets: TicketStore,
    limiter: RateLimiter,
    private notifier: Notifier,
    private limits: AuthLimits,
    /** Runs once for every new account (e.g. joining the public room). */
    private onRegistered: (user: User) => Promise<void>,
    private activity: ActivityRecorder = NO_ACTIVITY,
  ) {
    this.throttle = new LoginThrottle(limiter, limits);
  }

  async register(username: string, password: string, clientIp: string): Promise<IssuedTokens> {
    await this.throttle.admitRegistration(clientIp);
    const user: User = {
      id: newId(),
      username,
      passwordHash: await Bun.password.hash(password, { algorithm: "argon2id" }),
      createdAt: Date.now(),
      lastSeen: null,
    };
    if ((await this.accounts.createUser(user)) === "taken") fail("conflict", "username is taken");
    await this.onRegistered(user);
    this.activity.record("user.signed_up", user.id);
    return this.startSession(user);
  }

  async login(username: string, password: string, clientIp: string): Promise<IssuedTokens> {
    await this.throttle.admitLogin(username, clientIp);
    const user = await this.accounts.userByName(username.toLowerCase());
    const ok = await Bun.password.verify(password, user?.passwordHash ?? (await getDummyHash())).catch(() => false);
    if (!user || !ok) {
      this.activity.record("user.login_failed", user?.id ?? null);
      fail("unauthorized", "wrong username or password");
    }
    this.activity.record("user.logged_in", user!.id);
    return this.startSession(user!);
  }

  /** Rotates the refresh token. Presenting a rotated one again revokes its whole family. */
  async refresh(refreshToken: string | undefined): Promise<IssuedTokens> {
    const claims = refreshToken ? await this.tokens.verify("refresh", refreshToken) : null;
    if (!claims) return fail("unauthorized", "invalid refresh token");
    const used = await this.accounts.useRefreshToken(claims.jti, Date.now());
    if (used === "reused") {
      await this.revoke(claims.sessionId);
      fail("unauthorized", "refresh token reuse detected; the session was revoked");
    }
    if (used === "unknown") fail("unauthorized", "invalid refresh token");
    const session = await this.accounts.session(claims.sessionId);
    if (!session || session.revokedAt !== null) fail("unauthorized", "session revoked");
    const user = await this.accounts.userById(claims.userId);
    if (!user) return fail("unauthorized", "user no longer exists");
    return this.issue(user, claims.sessionId);
  }

  async logout(refreshToken: string | undefined, principal: Principal | null): Promise<void> {
    const claims = refreshToken ? await this.tokens.verify("refresh", refreshToken) : null;
    const sessionId = claims?.sessionId ?? principal?.sessionId;
    if (sessionId) await this.revoke(sessionId);
    const userId = claims?.userId ?? principal?.userId;
    if (userId) this.activity.record("user.logged_out", userId);
  }

  async authenticate(accessToken: string | undefined): Promise<Principal> {
    const claims = accessToken ? await this.tokens.verify("access", accessToken) : null;
    if (!claims) return fail("unauthorized", "missing or invalid access token");
    return this.principalFor(claims.userId, claims.sessionId);
  }

  async issueTicket(p: Principal): Promise<{ ticket: string; expiresIn: number }> {
    const ticket = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    await this.tickets.put(ticket, `${p.userId} ${p.sessionId}`, this.limits.ticketTtlSec * 1000);
    return { ticket, expiresIn: this.limits.ticketTtlSec };
  }

  /** Single use: a second redeem of the same ticket fails. */
  async redeemTicket(ticket: string | null): Promise<Principal> {
    const value = ticket ? await this.tickets.take(ticket) : null;
    if (!value) return fail("unauthorized", "invalid or expired ticket");
    const [userId, sessionId] = value.split(" ") as [string, string];
    return this.principalFor(userId, sessionId);
  }

  private async principalFor(userId: string, sessionId: string): Promise<Principal> {
    const [session, user] = await Promise.all([this.accounts.session(sessionId), this.accounts.userById(userId)]);
    if (!session || session.revokedAt !== null || session.userId !== userId || !user) {
      return fail("unauthorized", "session revoked");
    }
    return { userId, username: user.username, sessionId };
  }

  private async revoke(sessionId: string) {
    await this.accounts.revokeSession(sessionId, Date.now());
    this.notifier.sessionRevoked(sessionId);
  }

  private async startSession(user: User): Promise<IssuedTokens> {
    const sessionId = newId();
    await this.accounts.createSession({ id: sessionId, userId: user.id, createdAt: Date.now(), revokedAt: null });
    return this.issue(user, sessionId);
  }

  private async issue(user: User, sessionId: string): Promise<IssuedTokens> {
    const refreshJti = newId();
    const [access, refresh] = await Promise.all([
      this.tokens.sign("access", user.id, sessionId, newId()),
      this.tokens.sign("refresh", user.id, sessionId, refreshJti),
    ]);
    await this.accounts.addRefreshToken(refreshJti, sessionId, refresh.expiresAt);
    return {
      accessToken: access.token,
      expiresIn: this.tokens.accessTtlSec,
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
      user: { id: user.id, username: user.username },
    };
  }
}
