/**
 * The community id of a page under the community layout. The layout renders its pages only for
 * a route parameter that parses as an id and is this device's community (`+layout.svelte`, else
 * the not-allowed state), so here it always parses.
 */
import { parseCommunityId, type CommunityId } from '$lib/domain/ids';

export function communityParam(params: Partial<Record<'community', string>>): CommunityId {
	const parsed = parseCommunityId(params.community ?? '');
	if (!parsed.ok) throw new Error('the community layout renders no page for an unparsable id');
	return parsed.value;
}
