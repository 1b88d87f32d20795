import { redirect } from '@sveltejs/kit';
import { readCommunityId } from '$lib/reactive/device-identity';

// The community home is the start screen.
export function load() {
	redirect(307, `/c/${readCommunityId()}`);
}
