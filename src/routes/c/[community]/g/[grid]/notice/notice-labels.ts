import { m } from '$lib/paraglide/messages.js';
import type { NoticeRefusal } from '$lib/wire/notice';

/** Why a draft notice can't be published yet, in words. */
export const PREVIEW_PROBLEMS: Record<NoticeRefusal | 'grid_unknown', () => string> = {
	grid_unknown: m.notice_error_grid_unknown,
	empty: m.notice_error_empty,
	missing_field: m.notice_error_empty,
	too_long: m.notice_error_too_long,
	not_object: m.notice_error_invalid,
	extra_field: m.notice_error_invalid,
	wrong_type: m.notice_error_invalid,
	bad_phone: m.api_error_bad_phone,
	bad_member: m.notice_error_invalid,
	duplicate_member: m.notice_error_invalid
};
