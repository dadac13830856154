import { SignJWT, jwtVerify, errors as joseErrors } from "jose";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  userId: string;
  sessionId: string;
  jti: string;
  expiresAt: number;
}

export interface TokenConfig {
  secret: Uint8Array;
  issuer: string;
  audience: string;
  accessTtlSec: number;
  refreshTtlSec: number;
}

const ALG = "HS256";

/** Signs and verifies JWTs with a pinned algorithm; `typ` keeps access and refresh tokens apart. */
export class TokenService {
  constructor(private cfg: TokenConfig) {}

  get accessTtlSec() {
    return this.cfg.accessTtlSec;
  }

  async sign(type: TokenType, userId: string, sessionId: string, jti: string): Promise<{ token: string; expiresAt: number }> {
    const ttl = type === "access" ? this.cfg.accessTtlSec : this.cfg.refreshTtlSec;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: ALG, typ: type === "access" ? "at+jwt" : "rt+jwt" })
      .setSubject(userId)
      .setJti(jti)
      .setIssuer(this.cfg.issuer)
      .setAudience(this.cfg.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(this.cfg.secret);
    return { token, expiresAt: (now + ttl) * 1000 };
  }

  /** Null for anything but a valid, unexpired token of exactly this type. */
  async verify(type: TokenType, token: string): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.cfg.secret, {
        algorithms: [ALG],
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        typ: type === "access" ? "at+jwt" : "rt+jwt",
        requiredClaims: ["sub", "jti", "exp", "sid"],
      });
      if (typeof payload.sid !== "string" || !payload.sub || !payload.jti || !payload.exp) return null;
      return { userId: payload.sub, sessionId: payload.sid, jti: payload.jti, expiresAt: payload.exp * 1000 };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}
