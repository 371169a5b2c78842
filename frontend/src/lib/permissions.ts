// What the UI offers each role (README's role matrix). The server decides; these only keep
// buttons away from people who would get a 403.
import type { Schemas } from '../api/client';
import type { Claims } from '../auth/session';

const isAdmin = (c: Claims) => c.role === 'admin';

export function canCreateCustomer(c: Claims): boolean {
  return c.scopes.has('customers:write');
}

export function canEditCustomer(c: Claims, customer: Schemas['CustomerOut']): boolean {
  return c.scopes.has('customers:write') && (isAdmin(c) || customer.owner_id === c.userId);
}

/** Hand customers to another owner: an admin at once, an account manager through change
 *  requests an admin approves. */
export function canTransferCustomers(c: Claims): boolean {
  return c.scopes.has('customers:write') && (isAdmin(c) || c.role === 'account_manager');
}

/** Customer fields only an admin sets (domain/customer.py ADMIN_ONLY): the server refuses them
 *  to everyone else (fields-forbidden), so the form does not offer them. */
const CUSTOMER_ADMIN_FIELDS: ReadonlySet<string> = new Set(['owner_id', 'grade', 'grade_locked']);

export function canSetCustomerField(c: Claims, field: string): boolean {
  return isAdmin(c) || !CUSTOMER_ADMIN_FIELDS.has(field);
}

export function canArchiveCustomer(c: Claims, customer: Schemas['CustomerOut']): boolean {
  return canEditCustomer(c, customer) && !customer.archived;
}

export function canUnarchiveOrDelete(c: Claims): boolean {
  return isAdmin(c);
}

/** Approve or reject change requests (the server: admins only). */
export function canDecideChangeRequests(c: Claims): boolean {
  return isAdmin(c);
}

export function canCreateTicket(c: Claims): boolean {
  return c.scopes.has('tickets:write');
}

/** Edit, move and reply to the customer on a ticket. */
export function canWorkTicket(c: Claims, ticket: Schemas['TicketOut']): boolean {
  if (!c.scopes.has('tickets:write')) return false;
  if (c.role === 'admin' || c.role === 'supervisor') return true;
  return c.role === 'agent' && ticket.assignee_id === c.userId;
}

export function canAssignTicket(c: Claims): boolean {
  return c.scopes.has('tickets:write') && (c.role === 'admin' || c.role === 'supervisor');
}

/** A ticket's priority is set by supervisors and admins; for others it follows urgent × important. */
export function canSetTicketPriority(c: Claims): boolean {
  return c.scopes.has('tickets:write') && (c.role === 'admin' || c.role === 'supervisor');
}

export function canCommentTicket(c: Claims): boolean {
  return c.scopes.has('tickets:write');
}

/** "我的待跟进": account managers own customers; admins and supervisors follow up too. */
export function canSeeDueFollowUps(c: Claims): boolean {
  return c.role === 'account_manager' || c.role === 'admin' || c.role === 'supervisor';
}

/** Orders and opportunities carry money: agents get a 403 by role, so they are not offered. */
export function canSeeSales(c: Claims): boolean {
  return c.role !== 'agent';
}

/** Amounts and what derives from them (value level, order counts) as filters and sorts:
 * the server refuses amount filters (403) to roles that do not see amounts (agents). */
export function canFilterAmounts(c: Claims): boolean {
  return c.role !== 'agent';
}

/** Archived customers are listed for admins only. */
export function canListArchived(c: Claims): boolean {
  return isAdmin(c);
}

/** 公海: account managers, supervisors, admins and readonly users list it; agents get 403. */
export function canSeePool(c: Claims): boolean {
  return c.role !== 'agent';
}

/** Claim from the pool: account managers and admins, for themselves. */
export function canClaim(c: Claims): boolean {
  return c.role === 'account_manager' || c.role === 'admin';
}

/** Hand a pool customer straight to an owner (an admin's owner_id on the customer). */
export function canAssignFromPool(c: Claims): boolean {
  return isAdmin(c) && c.scopes.has('customers:write');
}

/** Release to the pool: the owner or an admin, of an owned, unarchived customer. */
export function canRelease(c: Claims, customer: Schemas['CustomerOut']): boolean {
  return customer.owner_id !== null && !customer.archived && canEditCustomer(c, customer);
}

/** Tasks are written by those with customers:write (account managers and admins). */
export function canWriteTasks(c: Claims): boolean {
  return c.scopes.has('customers:write');
}

/** Name the owner of what one creates (a task's `owner_id`): admins. The server refuses another
 *  owner to the others on follow-ups and opportunities, and lets them give a task only to the
 *  customer's owner, which the task form does not ask. */
export function canNameOwner(c: Claims): boolean {
  return isAdmin(c);
}

/** Check (核实) a customer's basic information: its owner or an admin. */
export function canVerify(c: Claims, customer: Schemas['CustomerOut']): boolean {
  return canEditCustomer(c, customer) && !customer.archived;
}
