/**
 * The duties a grid's team lists on its public notice (issue 19): the usual ones, offered as
 * suggestions (a duty is free text on the notice), and which one a role starts with.
 */
export const NOTICE_DUTIES = [
	'grid_leader',
	'grid_worker',
	'building_leader',
	'volunteer'
] as const;

export type NoticeDuty = (typeof NOTICE_DUTIES)[number];

/** The duty a member of each role starts with when put on a team. */
export const DEFAULT_DUTY_BY_ROLE: Readonly<Record<string, NoticeDuty>> = Object.freeze({
	secretary: 'grid_leader',
	'grid-member': 'grid_worker',
	volunteer: 'volunteer'
});
