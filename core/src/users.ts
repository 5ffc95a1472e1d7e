import type { Department, PersonAction } from './tickets.ts';

/**
 * People who log in to the hub and what each role may do. A warden and a grid leader see and act
 * on their own grid only; a community officer (社区干部) on every grid of their community, a
 * street officer (街道干部) on the whole street; a department on tickets escalated to it (吹哨);
 * operators (the control room, 指挥中心) and admins on everything.
 */
export const USER_ROLES = ['admin', 'operator', 'grid_leader', 'warden', 'department', 'community_officer', 'street_officer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_ROLE_LABELS: Record<UserRole, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  operator: { zh: '指挥中心值班员', en: 'Control-room operator' },
  grid_leader: { zh: '网格长', en: 'Grid leader' },
  warden: { zh: '网格员', en: 'Warden' },
  department: { zh: '部门', en: 'Department' },
  community_officer: { zh: '社区干部', en: 'Community officer' },
  street_officer: { zh: '街道干部', en: 'Street-office officer' },
};

/** A user as the API shows it (never with a password hash). */
export interface User {
  /** For wardens and grid leaders: their warden id in the site, so tickets assigned to them are theirs. */
  id: string;
  username: string;
  name: string;
  role: UserRole;
  /** Wardens and grid leaders: their grid. */
  gridId: string | null;
  /** Department users: which department. */
  department: Department | null;
  /** Community officers (社区干部): their community; they see every grid in it. */
  communityId: string | null;
  /** Street-office officers (街道干部): their street office; they see the whole street. */
  streetId: string | null;
  createdMs: number;
}

/** Which roles may take each person action on a ticket (on top of the grid / department scope). */
export const ACTION_ROLES: Record<PersonAction, readonly UserRole[]> = {
  // 接警: the control room takes the alarm (a grid leader on the phone does not silence the desk).
  acknowledge: ['admin', 'operator'],
  dispatch: ['admin', 'operator', 'grid_leader', 'community_officer', 'street_officer'],
  accept: ['admin', 'operator', 'grid_leader', 'warden'],
  arrive: ['admin', 'operator', 'grid_leader', 'warden'],
  resolve: ['admin', 'operator', 'grid_leader', 'warden', 'department'],
  close: ['admin', 'operator', 'grid_leader', 'community_officer', 'street_officer'],
  return: ['admin', 'operator', 'grid_leader', 'warden'],
  transfer: ['admin', 'operator', 'grid_leader', 'community_officer', 'street_officer'],
  whistle: ['admin', 'operator', 'grid_leader', 'warden', 'community_officer', 'street_officer'],
  reopen: ['admin', 'operator', 'grid_leader', 'community_officer', 'street_officer'],
};

export function mayTake(role: UserRole, action: PersonAction): boolean {
  return ACTION_ROLES[action].includes(role);
}

/** Roles that see every grid. */
export function seesEverything(role: UserRole): boolean {
  return role === 'admin' || role === 'operator';
}
