/**
 * Micro-wishes (微心愿) in the tasks document: recorded by staff (who, what, grid), published,
 * claimed by one volunteer, fulfilled with a note, thanked. Thanking credits the volunteer who
 * fulfilled it.
 *
 * Invariant: write-once props plus an append-only history (model/work/schema.ts); claims are ranked
 * like task claims with one slot, so a second concurrent claim shows as over-claimed, never
 * silently dropped.
 */

import type * as Y from 'yjs';
import { err, ok, type Result } from '../../domain/result';
import type { RankedClaim } from '../../domain/task-rules';
import {
	canWishAction,
	checkWishAction,
	deriveWishStatus,
	validateWishInput,
	type WishAction,
	type WishActionReason,
	type WishFacts,
	type WishInput,
	type WishInputReason,
	type WishStatus
} from '../../domain/wish-status';
import type { CommandContext } from '../command-context';
import {
	findWorkRecord,
	firstOf,
	parseWorkRecord,
	readHistory,
	readNumber,
	readString,
	wishesMap,
	type HistoryEntry,
	type WorkRecord
} from './schema';
import {
	actOnWorkItem,
	asWorkNote,
	createWorkItem,
	rankedClaimsIn,
	workMember,
	type ActDetails,
	type WorkItemKind,
	type WorkNote,
	type WorkReport
} from './work-item';

export type WishSnapshot = Readonly<{
	id: string;
	who: string;
	what: string;
	gridId: string;
	hours: number;
	createdAt: number;
	createdBy: string;
	status: WishStatus;
	claims: readonly RankedClaim[];
	overClaimed: boolean;
	fulfilments: readonly WorkNote[];
	thanks: WorkNote | null;
	deleted: boolean;
	history: readonly HistoryEntry[];
}>;

function wishFacts(_record: WorkRecord, history: readonly HistoryEntry[]): WishFacts {
	return {
		published: firstOf(history, 'published') !== null,
		claims: rankedClaimsIn(history, 1),
		fulfilled: firstOf(history, 'fulfilled') !== null,
		thanked: firstOf(history, 'thanked') !== null
	};
}

function readWishRecord(record: WorkRecord): WishSnapshot | null {
	const createdAt = record.map.get('createdAt');
	if (typeof createdAt !== 'number') return null;
	const history = readHistory(record);
	const facts = wishFacts(record, history);
	const thanks = firstOf(history, 'thanked');
	return Object.freeze({
		id: record.id,
		who: readString(record.map, 'who'),
		what: readString(record.map, 'what'),
		gridId: readString(record.map, 'gridId'),
		hours: readNumber(record.map, 'hours', 1),
		createdAt,
		createdBy: readString(record.map, 'createdBy'),
		status: deriveWishStatus(facts),
		claims: facts.claims,
		overClaimed: facts.claims.some((claim) => claim.standing !== 'in_slot'),
		fulfilments: Object.freeze(history.filter((e) => e.kind === 'fulfilled').map(asWorkNote)),
		thanks: thanks ? asWorkNote(thanks) : null,
		deleted: firstOf(history, 'deleted') !== null,
		history
	});
}

export function readWish(doc: Y.Doc, wishId: string): WishSnapshot | null {
	const record = findWorkRecord(wishesMap(doc), wishId);
	return record ? readWishRecord(record) : null;
}

/** Wishes in flow order (recorded … thanked), newest first within a status. */
export function listWishes(doc: Y.Doc): readonly WishSnapshot[] {
	const order = { recorded: 0, published: 1, claimed: 2, fulfilled: 3, thanked: 4 } as const;
	const wishes: WishSnapshot[] = [];
	for (const [key, value] of wishesMap(doc).entries()) {
		const record = parseWorkRecord(key, value);
		const wish = record && readWishRecord(record);
		if (wish && !wish.deleted) wishes.push(wish);
	}
	wishes.sort(
		(a, b) =>
			order[a.status] - order[b.status] || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1)
	);
	return Object.freeze(wishes);
}

export type WishCommandReason =
	WishActionReason | 'wish_not_found' | 'note_too_long' | 'note_required' | 'bad_photo';

export function recordWish(
	doc: Y.Doc,
	input: WishInput,
	context: CommandContext
): Result<string, WishInputReason | 'not_allowed'> {
	if (!canWishAction(workMember(context).role, 'publish')) return err('not_allowed');
	const valid = validateWishInput(input);
	if (!valid.ok) return valid;
	return ok(createWorkItem(doc, wishesMap(doc), 'w', valid.value, context));
}

const WISH: WorkItemKind<WishFacts, WishAction, WishStatus, WishActionReason | 'note_required'> = {
	map: wishesMap,
	facts: wishFacts,
	check: checkWishAction,
	// A fulfilment shows what was done: a note, a photo, or both.
	refuse: (action, note, photos) =>
		action === 'fulfil' && note === '' && photos.length === 0 ? 'note_required' : null,
	status: deriveWishStatus,
	write({ action, record, facts, note, photos, entry, credit }) {
		if (action === 'publish') entry('published');
		else if (action === 'fulfil') entry('fulfilled', { note, photos });
		else if (action === 'thank') {
			const fulfiller = facts.claims.find((claim) => claim.standing === 'in_slot');
			entry('thanked', { note });
			if (fulfiller) {
				credit([fulfiller], {
					source: 'wish',
					sourceId: record.id,
					title: readString(record.map, 'what'),
					hours: readNumber(record.map, 'hours', 1)
				});
			}
		}
	}
};

const act = (
	doc: Y.Doc,
	id: string,
	action: WishAction,
	context: CommandContext,
	details?: ActDetails
): Result<WishStatus, WishCommandReason> =>
	actOnWorkItem(doc, WISH, 'wish_not_found', id, action, context, details);

export const publishWish = (doc: Y.Doc, id: string, context: CommandContext) =>
	act(doc, id, 'publish', context);
export const claimWish = (doc: Y.Doc, id: string, context: CommandContext) =>
	act(doc, id, 'claim', context);
export const unclaimWish = (doc: Y.Doc, id: string, context: CommandContext) =>
	act(doc, id, 'unclaim', context);
export const releaseWishClaim = (
	doc: Y.Doc,
	id: string,
	claimId: string,
	context: CommandContext
) => act(doc, id, 'release', context, { claimId });
/** The volunteer who holds the wish fulfils it with a note and/or photos (what was done). */
export const fulfilWish = (doc: Y.Doc, id: string, report: WorkReport, context: CommandContext) =>
	act(doc, id, 'fulfil', context, report);
/** Staff pass on the resident's thanks; the volunteer is credited the wish's hours. */
export const thankWish = (doc: Y.Doc, id: string, note: string, context: CommandContext) =>
	act(doc, id, 'thank', context, { note });
