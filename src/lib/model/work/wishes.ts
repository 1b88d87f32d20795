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
import { newId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import {
	rankClaims,
	validateNote,
	type RankedClaim,
	type WorkActor
} from '../../domain/task-rules';
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
import type { PhotoInput } from '../case/photos';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { appendHours } from './service-hours';
import {
	appendHistory,
	claimsIn,
	findWorkRecord,
	firstOf,
	insertWorkRecord,
	newHistoryEntry,
	noteOf,
	parseWorkRecord,
	photoData,
	photosIn,
	readHistory,
	readNumber,
	readString,
	wishesMap,
	type HistoryEntry,
	type WorkRecord
} from './schema';

export type WishNote = Readonly<{
	id: string;
	note: string;
	by: string;
	at: number;
	photos: readonly PhotoInput[];
}>;

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
	fulfilments: readonly WishNote[];
	thanks: WishNote | null;
	deleted: boolean;
	history: readonly HistoryEntry[];
}>;

function wishFacts(history: readonly HistoryEntry[]): WishFacts {
	const { claims, released } = claimsIn(history);
	return {
		published: firstOf(history, 'published') !== null,
		claims: rankClaims(claims, released, 1),
		fulfilled: firstOf(history, 'fulfilled') !== null,
		thanked: firstOf(history, 'thanked') !== null
	};
}

const asNote = (entry: HistoryEntry): WishNote =>
	Object.freeze({
		id: entry.id,
		note: noteOf(entry),
		by: entry.by,
		at: entry.at,
		photos: photosIn(entry)
	});

function readWishRecord(record: WorkRecord): WishSnapshot | null {
	const createdAt = record.map.get('createdAt');
	if (typeof createdAt !== 'number') return null;
	const history = readHistory(record);
	const facts = wishFacts(history);
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
		fulfilments: Object.freeze(history.filter((e) => e.kind === 'fulfilled').map(asNote)),
		thanks: thanks ? asNote(thanks) : null,
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
	actor: WorkActor,
	at: number = Date.now()
): Result<string, WishInputReason | 'not_allowed'> {
	if (!canWishAction(actor.role, 'publish')) return err('not_allowed');
	const valid = validateWishInput(input);
	if (!valid.ok) return valid;
	const id = newId('w');
	doc.transact(() => {
		insertWorkRecord(
			wishesMap(doc),
			id,
			{ createdAt: at, createdBy: actor.name, ...valid.value },
			newHistoryEntry(actor, 'created', at)
		);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

function act(
	doc: Y.Doc,
	wishId: string,
	action: WishAction,
	actor: WorkActor,
	at: number,
	details: { note?: string; claimId?: string; photos?: readonly PhotoInput[] } = {}
): Result<WishStatus, WishCommandReason> {
	const record = findWorkRecord(wishesMap(doc), wishId);
	if (!record) return err('wish_not_found');
	const facts = wishFacts(readHistory(record));
	const check = checkWishAction(facts, action, actor, details.claimId);
	if (!check.ok) return check;
	let note = '';
	if (details.note !== undefined) {
		const valid = validateNote(details.note);
		if (!valid.ok) return valid;
		note = valid.value;
	}
	const photos = photoData(details.photos ?? []);
	if (!photos) return err('bad_photo');
	// A fulfilment shows what was done: a note, a photo, or both.
	if (action === 'fulfil' && note === '' && photos.length === 0) return err('note_required');
	doc.transact(() => {
		switch (action) {
			case 'publish':
				appendHistory(record, newHistoryEntry(actor, 'published', at));
				break;
			case 'claim':
				appendHistory(record, newHistoryEntry(actor, 'claim', at, { clientId: doc.clientID }));
				break;
			case 'unclaim':
			case 'release':
				appendHistory(
					record,
					newHistoryEntry(actor, 'release', at, { claimId: check.value?.id, reason: action })
				);
				break;
			case 'fulfil':
				appendHistory(record, newHistoryEntry(actor, 'fulfilled', at, { note, photos }));
				break;
			case 'thank': {
				const fulfiller = facts.claims.find((claim) => claim.standing === 'in_slot');
				appendHistory(record, newHistoryEntry(actor, 'thanked', at, { note }));
				if (fulfiller) {
					appendHours(
						doc,
						[fulfiller],
						{
							source: 'wish',
							sourceId: wishId,
							title: readString(record.map, 'what'),
							hours: readNumber(record.map, 'hours', 1)
						},
						actor.name,
						at
					);
				}
				break;
			}
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok(deriveWishStatus(wishFacts(readHistory(record))));
}

export const publishWish = (doc: Y.Doc, id: string, actor: WorkActor, at = Date.now()) =>
	act(doc, id, 'publish', actor, at);
export const claimWish = (doc: Y.Doc, id: string, actor: WorkActor, at = Date.now()) =>
	act(doc, id, 'claim', actor, at);
export const unclaimWish = (doc: Y.Doc, id: string, actor: WorkActor, at = Date.now()) =>
	act(doc, id, 'unclaim', actor, at);
export const releaseWishClaim = (
	doc: Y.Doc,
	id: string,
	claimId: string,
	actor: WorkActor,
	at = Date.now()
) => act(doc, id, 'release', actor, at, { claimId });
/** The volunteer who holds the wish fulfils it with a note and/or photos (what was done). */
export const fulfilWish = (
	doc: Y.Doc,
	id: string,
	note: string,
	actor: WorkActor,
	at = Date.now(),
	photos: readonly PhotoInput[] = []
) => act(doc, id, 'fulfil', actor, at, { note, photos });
/** Staff pass on the resident's thanks; the volunteer is credited the wish's hours. */
export const thankWish = (
	doc: Y.Doc,
	id: string,
	note: string,
	actor: WorkActor,
	at = Date.now()
) => act(doc, id, 'thank', actor, at, { note });
