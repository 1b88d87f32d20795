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
import {
	canWishAction,
	checkWishAction,
	deriveWishStatus,
	validateWishInput,
	type WishAction,
	type WishActionReason,
	type WishFacts,
	type WishInput,
	type WishStatus
} from '../../domain/wish-status';
import type { CommandContext } from '../command-context';
import {
	findWorkRecord,
	firstOf,
	readString,
	wishesMap,
	type HistoryEntry,
	type WorkRecord
} from './schema';
import {
	firstNote,
	createIfAllowed,
	claimCommands,
	createWorkItem,
	notesOf,
	rankedClaimsIn,
	listWorkItems,
	readWorkItem,
	withAuthorship,
	workItemAct,
	type WithAuthorship,
	type WorkItemBase,
	type WorkItemKind,
	type WorkNote,
	type WorkReport
} from './work-item';

export type WishSnapshot = WorkItemBase &
	Readonly<{
		who: string;
		what: string;
		status: WishStatus;
		fulfilments: readonly WorkNote[];
		thanks: WorkNote | null;
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
	return readWorkItem(record, wishFacts, (history, facts) => ({
		who: readString(record.map, 'who'),
		what: readString(record.map, 'what'),
		status: deriveWishStatus(facts),
		fulfilments: notesOf(history, 'fulfilled'),
		thanks: firstNote(history, 'thanked')
	}));
}

/** One wish as its page shows it: the snapshot and who sent each history entry. */
export type WishDetail = WithAuthorship<WishSnapshot>;

export function readWish(doc: Y.Doc, wishId: string): WishDetail | null {
	const record = findWorkRecord(wishesMap(doc), wishId);
	return record && withAuthorship(doc, record, readWishRecord(record));
}

const FLOW = { recorded: 0, published: 1, claimed: 2, fulfilled: 3, thanked: 4 } as const;

/** Wishes in flow order (recorded … thanked), newest first within a status. */
export const listWishes = (doc: Y.Doc): readonly WishSnapshot[] =>
	listWorkItems(
		wishesMap(doc),
		readWishRecord,
		(a, b) => FLOW[a.status] - FLOW[b.status] || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1)
	);

export const recordWish = (doc: Y.Doc, input: WishInput, context: CommandContext) =>
	createIfAllowed(
		context,
		(role) => canWishAction(role, 'publish'),
		() => validateWishInput(input),
		(wish) => createWorkItem(doc, wishesMap(doc), 'w', wish, context)
	);

const WISH: WorkItemKind<WishFacts, WishAction, WishStatus, WishActionReason | 'note_required'> = {
	map: wishesMap,
	facts: wishFacts,
	check: checkWishAction,
	// A fulfilment shows what was done: a note, a photo, or both.
	refuse: (action, note, photos) =>
		action === 'fulfil' && note === '' && photos.length === 0 ? 'note_required' : null,
	status: deriveWishStatus,
	write({ action, facts, note, photos, entry, credit }) {
		if (action === 'publish') entry('published');
		else if (action === 'fulfil') entry('fulfilled', { note, photos });
		else if (action === 'thank') {
			const fulfiller = facts.claims.find((claim) => claim.standing === 'in_slot');
			entry('thanked', { note });
			if (fulfiller) credit([fulfiller], 'wish', 'what');
		}
	}
};

const act = workItemAct(WISH, 'wish_not_found');

export const publishWish = (doc: Y.Doc, id: string, context: CommandContext) =>
	act(doc, id, 'publish', context);
/** Claim the wish, withdraw one's claim, and (staff) release a claim to settle an over-claim. */
export const {
	claim: claimWish,
	unclaim: unclaimWish,
	release: releaseWishClaim
} = claimCommands(act);
/** The volunteer who holds the wish fulfils it with a note and/or photos (what was done). */
export const fulfilWish = (doc: Y.Doc, id: string, report: WorkReport, context: CommandContext) =>
	act(doc, id, 'fulfil', context, report);
/** Staff pass on the resident's thanks; the volunteer is credited the wish's hours. */
export const thankWish = (doc: Y.Doc, id: string, note: string, context: CommandContext) =>
	act(doc, id, 'thank', context, { note });
