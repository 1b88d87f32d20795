/**
 * Every reason a work command (tasks, micro-wishes, patrols) gives for refusing: the key type of
 * the reason texts the work screens show, so a new reason fails type-checking until it has one.
 *
 * Invariant: types only.
 */

import type { PatrolRouteReason } from '../../domain/patrol-schedule';
import type { TaskActionReason, TaskInputReason } from '../../domain/task-rules';
import type { WishActionReason, WishInputReason } from '../../domain/wish-status';
import type { PatrolReason } from './patrols';

export type WorkReason =
	| TaskActionReason
	| TaskInputReason
	| WishActionReason
	| WishInputReason
	| PatrolReason
	| PatrolRouteReason
	| 'task_not_found'
	| 'wish_not_found'
	| 'note_too_long'
	| 'note_required'
	| 'bad_photo';
