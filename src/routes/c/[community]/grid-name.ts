import { m } from '$lib/paraglide/messages.js';

/** A grid command's refusal → the message shown under the field. */
export function gridNameProblemText(reason: string): string {
	switch (reason) {
		case 'name_too_long':
			return m.grid_name_too_long();
		case 'name_required':
			return m.grid_name_required();
		default:
			return m.board_grid_missing();
	}
}
