import { redirect } from '@sveltejs/kit';
import { readCredential } from '$lib/sync/credential-store';

// The community home is the start screen; without a credential the layout shows the welcome.
export function load() {
	const membership = readCredential(localStorage);
	if (membership) redirect(307, `/c/${membership.community.id}`);
}
