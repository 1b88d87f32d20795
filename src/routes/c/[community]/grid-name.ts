import { m } from '$lib/paraglide/messages.js';
import type { AddGridReason, RenameGridReason } from '$lib/model/directory';

/** A grid command's refusal → the message shown under the field. */
export const GRID_PROBLEMS: Record<AddGridReason | RenameGridReason, () => string> = {
	name_required: m.grid_name_required,
	name_too_long: m.grid_name_too_long,
	grid_not_found: m.board_grid_missing,
	not_permitted: m.not_permitted
};
