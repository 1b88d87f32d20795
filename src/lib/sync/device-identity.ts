/**
 * This device's id (random, kept in localStorage, sent when joining so the relay can name the
 * device) and the display-name rule of the join form. Who the person is comes from membership:
 * see credential-store.ts.
 */
import { newId } from '$lib/domain/ids';

const DEVICE_KEY = 'gridboard:deviceId';
export const MAX_DISPLAY_NAME_LENGTH = 40;

export function readDeviceId(): string {
	let id = localStorage.getItem(DEVICE_KEY);
	if (!id) {
		id = newId('d');
		localStorage.setItem(DEVICE_KEY, id);
	}
	return id;
}

export type DisplayNameProblem = 'display_name_required' | 'display_name_too_long';

export function checkDisplayName(raw: string): DisplayNameProblem | null {
	const name = raw.trim();
	if (name.length === 0) return 'display_name_required';
	if ([...name].length > MAX_DISPLAY_NAME_LENGTH) return 'display_name_too_long';
	return null;
}
