/**
 * Who is using this device, until sign-in exists: a display name chosen on first start and a
 * random device id. Both live in localStorage; every timeline entry records them.
 */
import type { Actor } from '$lib/domain/actor';
import { newId } from '$lib/domain/ids';

const NAME_KEY = 'gridboard:displayName';
const DEVICE_KEY = 'gridboard:deviceId';
const COMMUNITY_KEY = 'gridboard:communityId';
export const DEFAULT_COMMUNITY_ID = 'demo';
export const MAX_DISPLAY_NAME_LENGTH = 40;

export function readDisplayName(): string | null {
	return localStorage.getItem(NAME_KEY);
}

export function writeDisplayName(name: string): void {
	localStorage.setItem(NAME_KEY, name);
}

export function readDeviceId(): string {
	let id = localStorage.getItem(DEVICE_KEY);
	if (!id) {
		id = newId('d');
		localStorage.setItem(DEVICE_KEY, id);
	}
	return id;
}

export function readCommunityId(): string {
	return localStorage.getItem(COMMUNITY_KEY) ?? DEFAULT_COMMUNITY_ID;
}

export type DisplayNameProblem = 'display_name_required' | 'display_name_too_long';

export function checkDisplayName(raw: string): DisplayNameProblem | null {
	const name = raw.trim();
	if (name.length === 0) return 'display_name_required';
	if ([...name].length > MAX_DISPLAY_NAME_LENGTH) return 'display_name_too_long';
	return null;
}

export function actorFrom(name: string, deviceId: string): Actor {
	return { name, deviceId };
}
