import { z } from 'zod';
import { refuseBidiControls } from './bidi';
import { currencySchema, amountTextSchema, paymentIdSchema } from './schemas';

/**
 * Operators, roles, sessions, the audit trail, four-eyes approval and backups:
 * the types and request schemas both sides agree on. Which role each channel
 * needs is declared in shared/channel-roles.ts, beside the contract.
 */

/** Roles from least to most: each role may do everything the roles before it may. */
export const roles = ['viewer', 'operator', 'approver', 'administrator'] as const;
export type Role = (typeof roles)[number];

export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

export function roleAllows(held: Role, needed: Role): boolean {
  return roleRank(held) >= roleRank(needed);
}

export const roleLabels: Record<Role, string> = {
  viewer: 'Viewer (reads everything)',
  operator: 'Operator (pays, runs batches and reconciliation)',
  approver: 'Approver (also approves payments)',
  administrator: 'Administrator (also manages operators and settings)',
};

export const accessLimits = {
  usernameLength: 32,
  displayNameLength: 80,
  passwordLengthMin: 10,
  passwordLengthMax: 200,
  auditPageSizeMax: 500,
  auditExportRowsMax: 100_000,
  approvalListMax: 500,
  noteLength: 200,
  folderLength: 1000,
} as const;

/** Names the engine keeps for itself: the command line acts as `cli`. */
export const reservedUsernames = ['cli', 'system'] as const;

export const operatorStatuses = ['active', 'disabled'] as const;
export type OperatorStatus = (typeof operatorStatuses)[number];

export interface Operator {
  username: string;
  displayName: string;
  role: Role;
  status: OperatorStatus;
  createdAtMs: number;
  createdBy: string;
}

export interface SessionStatus {
  /** True until the first administrator exists: the UI shows the setup form. */
  setupRequired: boolean;
  operator: Operator | null;
  /** A session left unused this long is locked and must sign in again. */
  idleLockMs: number;
}

export interface SignedIn {
  /** The host's client sends it back in the X-PayDesk-Session header; IPC keys the session by window. */
  sessionId: string;
  operator: Operator;
}

export interface AuditEntry {
  seq: number;
  atMs: number;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  detail: string;
  previousHash: string;
  hash: string;
}

export interface AuditExport {
  fileName: string;
  csv: string;
  rows: number;
}

export const approvalStatuses = ['pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof approvalStatuses)[number];

export interface PendingPayment {
  paymentId: string;
  debtor: string;
  creditor: string;
  amountMinor: number;
  currency: string;
  reference: string;
  status: ApprovalStatus;
  submittedBy: string;
  submittedAtMs: number;
  /** Time since submission, as the engine measured it when answering. */
  ageMs: number;
  decidedBy: string | null;
  decidedAtMs: number | null;
  note: string | null;
}

export interface ApprovalThreshold {
  currency: string;
  /** Real-time payments above this amount wait for an approver. */
  thresholdMinor: number;
}

export interface BackupFile {
  fileName: string;
  sizeBytes: number;
  createdAtMs: number;
}

/** A backup restored through the UI: the engine reopened on it and every session ended. */
export interface RestoreOutcome {
  fileName: string;
  accounts: number;
  payments: number;
  auditEntries: number;
  /** Where the replaced file and its journal were kept (FILE.before-restore-*). */
  movedAsideTo: string | null;
}

export interface BackupStatus {
  folder: string;
  backups: BackupFile[];
  /** How many backups are kept; older ones are deleted as new ones are made. */
  keep: number;
  /**
   * A shared ledger (PostgreSQL): backups are made on request only, and one is
   * restored as a file ledger or into a new database, never over this ledger.
   */
  shared: boolean;
}

const username = z
  .string({ error: 'The user name is required.' })
  .trim()
  .toLowerCase()
  .min(1, 'The user name is required.')
  .max(accessLimits.usernameLength, `The user name is at most ${accessLimits.usernameLength} characters.`)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'The user name may hold letters, digits and . _ - only.');

const newUsername = username.refine(
  (value) => !(reservedUsernames as readonly string[]).includes(value),
  'That user name is kept for the engine itself; choose another.',
);

const newPassword = z
  .string({ error: 'The password is required.' })
  .min(accessLimits.passwordLengthMin, `The password needs at least ${accessLimits.passwordLengthMin} characters.`)
  .max(accessLimits.passwordLengthMax, `The password is at most ${accessLimits.passwordLengthMax} characters.`);

const plainText = (label: string, maxLength: number) =>
  z
    .string()
    .trim()
    .superRefine(refuseBidiControls(label))
    .max(maxLength, `${label} is at most ${maxLength} characters.`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${label} may not hold control characters.`);

export const signInSchema = z
  .object({
    username,
    password: z.string({ error: 'The password is required.' }).min(1, 'The password is required.').max(accessLimits.passwordLengthMax),
  })
  .strict();

export const operatorCreateSchema = z
  .object({
    username: newUsername,
    displayName: plainText('The display name', accessLimits.displayNameLength).min(1, 'The display name is required.'),
    password: newPassword,
    role: z.enum(roles, { error: 'The role is one of viewer, operator, approver, administrator.' }),
  })
  .strict();

export const setupSchema = operatorCreateSchema.omit({ role: true });

export const operatorSetStatusSchema = z.object({ username, status: z.enum(operatorStatuses) }).strict();

/** An operator changes their own password: the current one proves it is them at the keyboard. */
export const passwordChangeSchema = z
  .object({
    currentPassword: z.string({ error: 'The current password is required.' }).min(1, 'The current password is required.').max(accessLimits.passwordLengthMax),
    newPassword,
  })
  .strict();

/** An administrator sets a new password for another operator, who then signs in with it. */
export const passwordResetSchema = z.object({ username, newPassword }).strict();

export const operatorSetRoleSchema = z.object({ username, role: z.enum(roles) }).strict();

export const auditListSchema = z
  .object({
    actor: username.optional(),
    action: plainText('The action', 60).optional(),
    outcome: plainText('The outcome', 60).optional(),
    search: plainText('The search text', 100).optional(),
    fromMs: z.number().int().nonnegative().optional(),
    toMs: z.number().int().nonnegative().optional(),
    limit: z.number().int().min(1).max(accessLimits.auditPageSizeMax).optional(),
    cursor: z.string().max(40).nullable().optional(),
  })
  .strict();

export const auditExportSchema = auditListSchema.omit({ limit: true, cursor: true });

export const approvalListSchema = z.object({ status: z.enum(approvalStatuses).optional() }).strict();

export const approvalDecisionSchema = z
  .object({ paymentId: paymentIdSchema, note: plainText('The note', accessLimits.noteLength).optional() })
  .strict();

/**
 * Sets (amount) or removes (null) a currency's approval threshold. Removing or
 * raising one weakens four-eyes, so core refuses it with
 * CONFIRMATION_REQUIRED unless `confirmed` says the administrator saw what it means.
 */
export const approvalThresholdSetSchema = z
  .object({ currency: currencySchema, amount: amountTextSchema.nullable(), confirmed: z.boolean().optional() })
  .strict();

export const backupFolderSetSchema = z
  .object({
    folder: z
      .string()
      .trim()
      .min(1, 'The folder is required.')
      .max(accessLimits.folderLength)
      .regex(/^[^\u0000-\u001f\u007f]*$/, 'The folder may not hold control characters.'),
  })
  .strict();

export const backupRestoreSchema = z
  .object({ fileName: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'Choose a backup from the list.') })
  .strict();

/** Who is asking, as core resolved it from the transport's context: handlers read it for audit and four-eyes. */
export interface Caller {
  /** Empty when nobody is signed in (only public channels see such a caller). */
  username: string;
  role: Role;
  signedIn: boolean;
  transport: 'system' | 'window' | 'http';
  /** The session key the request came with: the window's, or the host client's header; null for the command line. */
  sessionKey: string | null;
}

/** A session left without requests this long is locked in core; the UI locks after as long without input. */
export const sessionIdleLockMs = 15 * 60 * 1000;
