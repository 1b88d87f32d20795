/**
 * The work-item kernel: what tasks, micro-wishes and patrols share. A work item is a record in
 * the tasks document (schema.ts) that members act on: created with write-once props, claimed in
 * ranked slots, withdrawn or released, reported (a note and photos), and credited in service
 * hours. Each kind (tasks.ts, wishes.ts, patrols.ts) brings its facts, its rule check and what
 * its own actions write; the kernel runs the one path every act takes:
 *
 *   find record → facts → authority and rule check → note and photos valid → one transaction
 *
 * Invariant: a refused act writes nothing; an accepted one runs one `doc.transact(fn,
 * ORIGIN_LOCAL_EDIT)` that only appends. A claim is its own entry carrying the writer's Yjs
 * client id; a withdrawal or release is a `release` entry naming the claim, never a deletion.
 */

import type * as Y from 'yjs';
import { authorshipByEntryId, type AuthorshipById } from '../attestation';
import { newId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import {
	rankClaims,
	validateNote,
	type RankedClaim,
	type WorkMember
} from '../../domain/task-rules';
import type { HourSource } from '../../domain/service-hours';
import type { PhotoInput } from '../case/photos';
import { commandTime, type CommandContext } from '../command-context';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { appendHours, type Credit } from './service-hours';
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
	type HistoryEntry,
	type WorkRecord
} from './schema';

/** The member a context acts for, as the work rules see them. */
export function workMember(context: CommandContext): WorkMember {
	return { memberId: context.authority.memberId, role: context.authority.claims.role };
}

/** What a member reports on a piece of work: what was done or seen, and photos in the outbox. */
export type WorkReport = Readonly<{ note: string; photos?: readonly PhotoInput[] }>;

/** A report as read back from the history. */
export type WorkNote = Readonly<{
	id: string;
	note: string;
	by: string;
	at: number;
	photos: readonly PhotoInput[];
}>;

export const asWorkNote = (entry: HistoryEntry): WorkNote =>
	Object.freeze({
		id: entry.id,
		note: noteOf(entry),
		by: entry.by,
		at: entry.at,
		photos: photosIn(entry)
	});

/** The active claims of a history, ranked into `needed` slots (task-rules.ts). */
export function rankedClaimsIn(
	history: readonly HistoryEntry[],
	needed: number
): readonly RankedClaim[] {
	const { claims, released } = claimsIn(history);
	return rankClaims(claims, released, needed);
}

/** What every claimable item's snapshot carries, read the same way for each kind. */
export type WorkItemBase = Readonly<{
	id: string;
	gridId: string;
	hours: number;
	createdAt: number;
	createdBy: string;
	claims: readonly RankedClaim[];
	/** More active claims than slots: staff should release one. */
	overClaimed: boolean;
	deleted: boolean;
	history: readonly HistoryEntry[];
}>;

/** The shared part of a snapshot, or null for a record without its creation time. */
function readWorkItemBase(
	record: WorkRecord,
	history: readonly HistoryEntry[],
	claims: readonly RankedClaim[]
): WorkItemBase | null {
	const createdAt = record.map.get('createdAt');
	if (typeof createdAt !== 'number') return null;
	return {
		id: record.id,
		gridId: readString(record.map, 'gridId'),
		hours: readNumber(record.map, 'hours', 1),
		createdAt,
		createdBy: readString(record.map, 'createdBy'),
		claims,
		overClaimed: claims.some((claim) => claim.standing !== 'in_slot'),
		deleted: firstOf(history, 'deleted') !== null,
		history
	};
}

/**
 * A claimable item's snapshot: the shared part plus what `read` adds from the history and the
 * kind's facts; null for a record without its creation time.
 */
export function readWorkItem<F extends { claims: readonly RankedClaim[] }, S extends object>(
	record: WorkRecord,
	facts: (record: WorkRecord, history: readonly HistoryEntry[]) => F,
	read: (history: readonly HistoryEntry[], facts: F) => S
): Readonly<WorkItemBase & S> | null {
	const history = readHistory(record);
	const itemFacts = facts(record, history);
	const base = readWorkItemBase(record, history, itemFacts.claims);
	return base ? Object.freeze({ ...base, ...read(history, itemFacts) }) : null;
}

/** One item as its page shows it: the snapshot and who sent each history entry. */
export type WithAuthorship<S> = S &
	Readonly<{
		/** History entry id → the member the relay attested as its sender (model/attestation.ts). */
		authorship: AuthorshipById;
	}>;

/** Adds the history's authorship to one item's snapshot (pages of one item, never lists). */
export function withAuthorship<S extends object>(
	doc: Y.Doc,
	record: WorkRecord,
	item: S | null
): WithAuthorship<S> | null {
	if (item === null) return null;
	const authorship = Object.freeze(authorshipByEntryId(doc, [record.history]));
	return Object.freeze({ ...item, authorship });
}

/** Every item of `parent` that reads (`read`) and is not deleted, sorted by `order`. */
export function listWorkItems<T extends { deleted: boolean }>(
	parent: Y.Map<unknown>,
	read: (record: WorkRecord) => T | null,
	order: (a: T, b: T) => number
): readonly T[] {
	const items: T[] = [];
	for (const [key, value] of parent.entries()) {
		const record = parseWorkRecord(key, value);
		const item = record && read(record);
		if (item && !item.deleted) items.push(item);
	}
	return Object.freeze(items.sort(order));
}

/**
 * Creates a record when the member's role allows it and the input is valid; the id, or why not.
 */
export function createIfAllowed<V, R extends string>(
	context: CommandContext,
	allowed: (role: string) => boolean,
	valid: () => Result<V, R>,
	create: (value: V) => string
): Result<string, R | 'not_allowed'> {
	if (!allowed(workMember(context).role)) return err('not_allowed');
	const checked = valid();
	return checked.ok ? ok(create(checked.value)) : checked;
}

/** The first report of one kind (a confirmation, the thanks), or null. */
export function firstNote(history: readonly HistoryEntry[], kind: string): WorkNote | null {
	const entry = firstOf(history, kind);
	return entry && asWorkNote(entry);
}

/** The reports of one kind (completions, fulfilments) in history order. */
export const notesOf = (history: readonly HistoryEntry[], kind: string): readonly WorkNote[] =>
	Object.freeze(history.filter((entry) => entry.kind === kind).map(asWorkNote));

/**
 * Creates a record in `parent` with a fresh id (`prefix` + random), stamped with when and by
 * whom, and its first history entry; one transaction. The caller has checked authority.
 */
export function createWorkItem(
	doc: Y.Doc,
	parent: Y.Map<unknown>,
	prefix: string,
	props: Readonly<Record<string, unknown>>,
	context: CommandContext,
	first: Readonly<{ kind: string; details?: Readonly<Record<string, unknown>> }> = {
		kind: 'created'
	}
): string {
	const id = newId(prefix);
	const at = commandTime(context);
	doc.transact(() => {
		insertWorkRecord(
			parent,
			id,
			{ createdAt: at, createdBy: context.actor.name, ...props },
			newHistoryEntry(context, first.kind, at, first.details)
		);
	}, ORIGIN_LOCAL_EDIT);
	return id;
}

/** Appends one entry to a record in its own transaction. */
export function appendWorkEntry(
	doc: Y.Doc,
	record: WorkRecord,
	kind: string,
	context: CommandContext,
	details: Readonly<Record<string, unknown>> = {}
): HistoryEntry {
	const entry = newHistoryEntry(context, kind, commandTime(context), details);
	doc.transact(() => appendHistory(record, entry), ORIGIN_LOCAL_EDIT);
	return entry;
}

/** Plain copies of a report's photos to store, or `bad_photo` when one is malformed. */
export function reportPhotos(
	photos: readonly PhotoInput[] | undefined
): Result<PhotoInput[], 'bad_photo'> {
	const stored = photoData(photos ?? []);
	return stored ? ok(stored) : err('bad_photo');
}

/** What a kind's own action (not a claim, withdrawal or release) is given to write. */
export type ActStep<F, A> = Readonly<{
	action: A;
	record: WorkRecord;
	facts: F;
	note: string;
	photos: readonly PhotoInput[];
	at: number;
	/** Appends an entry by the acting member at `at`. */
	entry: (kind: string, details?: Readonly<Record<string, unknown>>) => void;
	/**
	 * Credits the item's hours to the volunteers who did it, recorded by the acting member; the
	 * hours list titles the record with the item's `titleField`.
	 */
	credit: (credits: readonly Credit[], source: HourSource, titleField: string) => void;
}>;

/** One claimable kind of work item: where it lives and its rules. */
export type WorkItemKind<
	F extends { claims: readonly RankedClaim[] },
	A extends string,
	S,
	R extends string
> = Readonly<{
	map: (doc: Y.Doc) => Y.Map<unknown>;
	facts: (record: WorkRecord, history: readonly HistoryEntry[]) => F;
	/** The rule check, authority first; returns the claim the action concerns, or null. */
	check: (facts: F, action: A, who: WorkMember, claimId?: string) => Result<RankedClaim | null, R>;
	/** A refusal that depends on the report (e.g. a fulfilment needs a note or a photo). */
	refuse?: (action: A, note: string, photos: readonly PhotoInput[]) => R | null;
	status: (facts: F) => S;
	write: (step: ActStep<F, A>) => void;
}>;

export type ActDetails = Readonly<{
	note?: string;
	photos?: readonly PhotoInput[];
	claimId?: string;
}>;

/**
 * Runs `action` on the item `id` of `kind` for the context's member: checks, then writes in one
 * transaction; returns the item's status after. `missing` is the reason for an unknown id.
 * `claim`, `unclaim` and `release` are written here; every other action by the kind.
 */
function actOnWorkItem<
	F extends { claims: readonly RankedClaim[] },
	A extends string,
	S,
	R extends string,
	M extends string
>(
	doc: Y.Doc,
	kind: WorkItemKind<F, A, S, R>,
	missing: M,
	id: string,
	action: A,
	context: CommandContext,
	details: ActDetails = {}
): Result<S, R | M | 'note_too_long' | 'bad_photo'> {
	const record = findWorkRecord(kind.map(doc), id);
	if (!record) return err(missing);
	const facts = kind.facts(record, readHistory(record));
	const check = kind.check(facts, action, workMember(context), details.claimId);
	if (!check.ok) return check;
	let note = '';
	if (details.note !== undefined) {
		const valid = validateNote(details.note);
		if (!valid.ok) return valid;
		note = valid.value;
	}
	const photos = reportPhotos(details.photos);
	if (!photos.ok) return photos;
	const refused = kind.refuse?.(action, note, photos.value) ?? null;
	if (refused !== null) return err(refused);
	const at = commandTime(context);
	const entry = (entryKind: string, more: Readonly<Record<string, unknown>> = {}) =>
		appendHistory(record, newHistoryEntry(context, entryKind, at, more));
	const credit = (credits: readonly Credit[], source: HourSource, titleField: string) =>
		appendHours(
			doc,
			credits,
			{
				source,
				sourceId: record.id,
				title: readString(record.map, titleField),
				hours: readNumber(record.map, 'hours', 1)
			},
			context.actor.name,
			at
		);
	doc.transact(() => {
		if (action === 'claim') entry('claim', { clientId: doc.clientID });
		else if (action === 'unclaim' || action === 'release') {
			entry('release', { claimId: check.value?.id, reason: action });
		} else {
			kind.write({ action, record, facts, note, photos: photos.value, at, entry, credit });
		}
	}, ORIGIN_LOCAL_EDIT);
	return ok(kind.status(kind.facts(record, readHistory(record))));
}

/** A kind's act, bound to its kind and its not-found reason. */
export type WorkAct<A extends string, S, R extends string> = (
	doc: Y.Doc,
	id: string,
	action: A,
	context: CommandContext,
	details?: ActDetails
) => Result<S, R>;

export function workItemAct<
	F extends { claims: readonly RankedClaim[] },
	A extends string,
	S,
	R extends string,
	M extends string
>(
	kind: WorkItemKind<F, A, S, R>,
	missing: M
): WorkAct<A, S, R | M | 'note_too_long' | 'bad_photo'> {
	return (doc, id, action, context, details) =>
		actOnWorkItem(doc, kind, missing, id, action, context, details);
}

/**
 * The claim commands every claimable kind has: claim a slot, withdraw one's own claim, and (staff)
 * settle an over-claim by releasing a claim, which stays in the history.
 */
export function claimCommands<S, R extends string>(
	act: WorkAct<'claim' | 'unclaim' | 'release', S, R>
) {
	return {
		claim: (doc: Y.Doc, id: string, context: CommandContext) => act(doc, id, 'claim', context),
		unclaim: (doc: Y.Doc, id: string, context: CommandContext) => act(doc, id, 'unclaim', context),
		release: (doc: Y.Doc, id: string, claimId: string, context: CommandContext) =>
			act(doc, id, 'release', context, { claimId })
	};
}
