/**
 * One entry of the security audit trail: sign-ins, user administration, sensitive models' monitor
 * programs and every verdict on a sensitive download (docs/security.md).
 */
export const SECURITY_ACTIONS = [
  'SIGN_IN',
  'USER_CREATE',
  'USER_DELETE',
  'USER_PERMISSIONS',
  'USER_PASSWORD',
  'RESET',
  'MONITOR_SET',
  'MONITOR_REMOVE',
  'SENSITIVE_DOWNLOAD',
] as const;
export type SecurityAction = (typeof SECURITY_ACTIONS)[number];

/**
 * success: done (a sensitive download: allowed); failure: wrong credentials (a sensitive download:
 * refused by its monitor); throttled: refused by the back-off before checking.
 */
export type SecurityOutcome = 'success' | 'failure' | 'throttled';

export interface SecurityEvent {
  date: Date;
  action: SecurityAction;
  outcome: SecurityOutcome;
  /** Who acted (the signed-in user, or the name a sign-in was attempted with). */
  actor: string | null;
  /** Whom or what it was done to (a user name, or a sensitive model's artifact id). */
  subject: string | null;
  /** Client address. */
  address: string | null;
  detail: string | null;
}
