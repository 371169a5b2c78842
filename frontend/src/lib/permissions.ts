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
