/** One entry of the security audit trail: sign-ins and user administration (docs/security.md). */
export const SECURITY_ACTIONS = [
  'SIGN_IN',
  'USER_CREATE',
  'USER_DELETE',
  'USER_PERMISSIONS',
  'USER_PASSWORD',
  'RESET',
] as const;
export type SecurityAction = (typeof SECURITY_ACTIONS)[number];

/** success: done; failure: wrong credentials; throttled: refused by the back-off before checking. */
export type SecurityOutcome = 'success' | 'failure' | 'throttled';

export interface SecurityEvent {
  date: Date;
  action: SecurityAction;
  outcome: SecurityOutcome;
  /** Who acted (the signed-in user, or the name a sign-in was attempted with). */
  actor: string | null;
  /** Whom or what it was done to (a user name). */
  subject: string | null;
  /** Client address. */
  address: string | null;
  detail: string | null;
}
