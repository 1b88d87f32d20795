/**
 * One meeting's document (`c/{communityId}/meetings/{meetingId}`): the minutes, the passages
 * marked as decisions and actions with the follow-ups made from them, the lock put on when
 * the meeting finished, and the amendments recorded after.
 *
 *   doc.getXmlFragment('minutes')   rich text, written by the editor (Tiptap + y-tiptap)
 *   doc.getMap('items'):  itemId → Y.Map { id, kind, text, createdAt, createdBy, deviceId,
 *                                          followUps: Y.Array<FollowUpLink> (append-only) }
 *   doc.getArray('lock'):       [{ id, at, by, deviceId, minutes: JSON of the minutes }]
 *   doc.getArray('amendments'): [{ id, text, at, by, deviceId }]       (append-only)
 *
 * Invariant: once `lock` holds an entry, the record of the meeting is that entry's minutes
 * (the earliest by (at, id) when two people finished at once) and commands refuse new items;
 * changes typed offline before the lock arrived merge into the fragment but are reported as
 * `lateChanges`, never shown as the record. Amendments are only accepted after the lock. Every
 * command takes its context last and refuses (`not_permitted`, writing nothing) a member who may
 * not change meetings (domain/meeting-permissions.ts).
 */

import * as Y from 'yjs';
import { compareByAtThenId } from '../../domain/ordering';
import { isValidIdSegment, newEditId, type EditId } from '../../domain/ids';
import {
	applyMeetingAction,
	isFollowUpTier,
	isMeetingItemKind,
	MEETING_TEXT_MAX,
	newMeetingItemId,
	validateMeetingText,
	type FollowUpTier,
	type MeetingId,
	type MeetingItemId,
	type MeetingItemKind
} from '../../domain/meeting-rules';
import { err, ok, type Result } from '../../domain/result';
import { commandTime, type Authority, type CommandContext } from '../command-context';
import { applyMeetingStatusAction, permitsMeetingEdits } from './commands';
import { findMeeting, readMeetingField } from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { authorshipByEntryId, type AuthorshipById } from '../attestation';

export const MINUTES_FIELD = 'minutes';

export function minutesFragment(doc: Y.Doc): Y.XmlFragment {
	return doc.getXmlFragment(MINUTES_FIELD);
}

/** ProseMirror's JSON for a node, as the editor's schema reads and writes it. */
export type MinutesNode = {
	type: string;
	attrs?: Record<string, unknown>;
	content?: MinutesNode[];
	text?: string;
	marks?: { type: string; attrs?: Record<string, unknown> }[];
};

function textNodes(text: Y.XmlText): MinutesNode[] {
	const out: MinutesNode[] = [];
	for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
		if (typeof op.insert !== 'string' || op.insert === '') continue;
		const node: MinutesNode = { type: 'text', text: op.insert };
		const marks = Object.entries(op.attributes ?? {}).map(([key, value]) => {
			// y-prosemirror suffixes `--hash` to marks that may overlap themselves.
			const type = key.split('--')[0] ?? key;
			const attrs = typeof value === 'object' && value !== null ? { ...value } : undefined;
			return attrs && Object.keys(attrs).length > 0 ? { type, attrs } : { type };
		});
		if (marks.length > 0) node.marks = marks;
		out.push(node);
	}
	return out;
}

function elementNode(element: Y.XmlElement): MinutesNode {
	const node: MinutesNode = { type: element.nodeName };
	const attrs = element.getAttributes() as Record<string, unknown>;
	if (Object.keys(attrs).length > 0) node.attrs = { ...attrs };
	const content = childNodes(element);
	if (content.length > 0) node.content = content;
	return node;
}

function childNodes(parent: Y.XmlFragment | Y.XmlElement): MinutesNode[] {
	const out: MinutesNode[] = [];
	for (const child of parent.toArray()) {
		if (child instanceof Y.XmlText) out.push(...textNodes(child));
		else if (child instanceof Y.XmlElement) out.push(elementNode(child));
	}
	return out;
}

/** The minutes as a ProseMirror document JSON (what the lock stores and exports render). */
export function minutesToJson(doc: Y.Doc): MinutesNode {
	const content = childNodes(minutesFragment(doc));
	return { type: 'doc', content: content.length > 0 ? content : [{ type: 'paragraph' }] };
}

/** Every piece of text in the minutes, in order (search, tests, plain-text checks). */
export function minutesPlainText(node: MinutesNode): string {
	if (node.text !== undefined) return node.text;
	const inner = (node.content ?? []).map(minutesPlainText);
	const block = node.type !== 'text' && node.type !== 'hardBreak';
	return block && node.type !== 'doc' ? inner.join('') + '\n' : inner.join('');
}

export type FollowUpKind = 'case' | 'task';

export type FollowUpLink = Readonly<{
	id: string;
	kind: FollowUpKind;
	/** The board the case is on ('' for a task). */
	gridId: string;
	targetId: string;
	owner: string;
	deadline: number | null;
	/** The tier a case was given; null for a task (volunteer tasks have no tier). */
	tier: FollowUpTier | null;
	at: number;
	by: string;
	deviceId: string;
}>;

export type MeetingItem = Readonly<{
	id: MeetingItemId;
	kind: MeetingItemKind;
	text: string;
	createdAt: number;
	createdBy: string;
	followUps: readonly FollowUpLink[];
}>;

export type MinutesLock = Readonly<{
	id: string;
	at: number;
	by: string;
	deviceId: string;
	minutes: MinutesNode;
}>;

export type Amendment = Readonly<{
	id: string;
	text: string;
	at: number;
	by: string;
	deviceId: string;
}>;

export type MeetingRecordSnapshot = Readonly<{
	lock: MinutesLock | null;
	/** The fragment holds changes that are not in the locked record (typed offline before the lock arrived). */
	lateChanges: boolean;
	items: readonly MeetingItem[];
	amendments: readonly Amendment[];
	/** Lock and amendment id → the member the relay attested as its sender (model/attestation.ts). */
	authorship: AuthorshipById;
}>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number =>
	typeof value === 'number' && Number.isFinite(value);

function parseFollowUp(raw: unknown): FollowUpLink | null {
	if (!isRecord(raw)) return null;
	const { id, kind, gridId, targetId, owner, deadline, tier, at, by, deviceId } = raw;
	if (!isValidIdSegment(id) || (kind !== 'case' && kind !== 'task')) return null;
	if (typeof gridId !== 'string' || !isValidIdSegment(targetId)) return null;
	if (typeof owner !== 'string' || !(deadline === null || isTime(deadline))) return null;
	const tierOk = isFollowUpTier(tier) || (kind === 'task' && (tier === null || tier === undefined));
	if (!tierOk || !isTime(at) || typeof by !== 'string') return null;
	return Object.freeze({
		id,
		kind,
		gridId,
		targetId,
		owner,
		deadline,
		tier: isFollowUpTier(tier) ? tier : null,
		at,
		by,
		deviceId: typeof deviceId === 'string' ? deviceId : ''
	});
}

function readLocks(doc: Y.Doc): MinutesLock[] {
	const locks: MinutesLock[] = [];
	for (const raw of doc.getArray<unknown>('lock').toArray()) {
		if (!isRecord(raw) || !isValidIdSegment(raw.id) || !isTime(raw.at)) continue;
		if (typeof raw.by !== 'string' || typeof raw.minutes !== 'string') continue;
		let minutes: MinutesNode;
		try {
			minutes = JSON.parse(raw.minutes) as MinutesNode;
		} catch {
			continue;
		}
		const deviceId = typeof raw.deviceId === 'string' ? raw.deviceId : '';
		locks.push(Object.freeze({ id: raw.id, at: raw.at, by: raw.by, deviceId, minutes }));
	}
	return locks.sort(compareByAtThenId);
}

export function readMinutesLock(doc: Y.Doc): MinutesLock | null {
	return readLocks(doc)[0] ?? null;
}

export function isMinutesLocked(doc: Y.Doc): boolean {
	return doc.getArray<unknown>('lock').length > 0;
}

function itemsMap(doc: Y.Doc): Y.Map<unknown> {
	return doc.getMap<unknown>('items');
}

function readItems(doc: Y.Doc): MeetingItem[] {
	const items: MeetingItem[] = [];
	for (const [key, value] of itemsMap(doc).entries()) {
		if (!isValidIdSegment(key) || !(value instanceof Y.Map)) continue;
		const kind = value.get('kind');
		const text = value.get('text');
		const createdAt = value.get('createdAt');
		const createdBy = value.get('createdBy');
		const followUps = value.get('followUps');
		if (!isMeetingItemKind(kind) || typeof text !== 'string' || !isTime(createdAt)) continue;
		if (!(followUps instanceof Y.Array)) continue;
		items.push(
			Object.freeze({
				id: key as MeetingItemId,
				kind,
				text,
				createdAt,
				createdBy: typeof createdBy === 'string' ? createdBy : '',
				followUps: Object.freeze(
					followUps
						.toArray()
						.map(parseFollowUp)
						.filter((f) => f !== null)
						.sort(compareByAtThenId)
				)
			})
		);
	}
	return items.sort(
		(a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
	);
}

function readAmendments(doc: Y.Doc): Amendment[] {
	const out: Amendment[] = [];
	for (const raw of doc.getArray<unknown>('amendments').toArray()) {
		if (!isRecord(raw) || !isValidIdSegment(raw.id) || !isTime(raw.at)) continue;
		if (typeof raw.text !== 'string' || typeof raw.by !== 'string') continue;
		const deviceId = typeof raw.deviceId === 'string' ? raw.deviceId : '';
		out.push(Object.freeze({ id: raw.id, text: raw.text, at: raw.at, by: raw.by, deviceId }));
	}
	return out.sort(compareByAtThenId);
}

export function readMeetingRecord(doc: Y.Doc): MeetingRecordSnapshot {
	const lock = readMinutesLock(doc);
	const lateChanges =
		lock !== null && JSON.stringify(minutesToJson(doc)) !== JSON.stringify(lock.minutes);
	return Object.freeze({
		lock,
		lateChanges,
		items: Object.freeze(readItems(doc)),
		amendments: Object.freeze(readAmendments(doc)),
		authorship: Object.freeze(
			authorshipByEntryId(doc, [doc.getArray<unknown>('lock'), doc.getArray<unknown>('amendments')])
		)
	});
}

export type MeetingRecordReason =
	'meeting_finished' | 'text_too_long' | 'text_required' | 'not_permitted';

/**
 * Records a passage as a decision or an action. The editor puts a mark with the same id on the
 * passage; this entry is what follow-ups hang on. `id` is the mark's id.
 */
export function addMeetingItem(
	doc: Y.Doc,
	input: Readonly<{ id?: MeetingItemId; kind: MeetingItemKind; text: string }>,
	context: CommandContext<Authority>
): Result<MeetingItemId, MeetingRecordReason> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	if (isMinutesLocked(doc)) return err('meeting_finished');
	const text = validateMeetingText(input.text, MEETING_TEXT_MAX);
	if (!text.ok) return text;
	if (text.value === '') return err('text_required');
	const id = input.id ?? newMeetingItemId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		itemsMap(doc).set(id, map);
		map.set('id', id);
		map.set('kind', input.kind);
		map.set('text', text.value);
		map.set('createdAt', at);
		map.set('createdBy', actor.name);
		map.set('deviceId', actor.deviceId);
		map.set('followUps', new Y.Array<unknown>());
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

export type FollowUpInput = Readonly<{
	kind: FollowUpKind;
	gridId: string;
	targetId: string;
	owner: string;
	deadline: number | null;
	/** Cases only: a task has no tier (null). */
	tier: FollowUpTier | null;
}>;

/** The follow-up list of an action item, or why there is none (checked before a follow-up is made). */
export function actionFollowUps(
	doc: Y.Doc,
	itemId: MeetingItemId
): Result<Y.Array<unknown>, 'item_not_found' | 'not_an_action'> {
	const map = itemsMap(doc).get(itemId);
	if (!(map instanceof Y.Map) || !(map.get('followUps') instanceof Y.Array)) {
		return err('item_not_found');
	}
	if (map.get('kind') !== 'action') return err('not_an_action');
	return ok(map.get('followUps') as Y.Array<unknown>);
}

/**
 * Records that an action became a task or a case. Allowed after the meeting finished: follow-ups
 * are the work that comes after. Append-only, so two people linking at once both stay.
 */
export function linkFollowUp(
	doc: Y.Doc,
	itemId: MeetingItemId,
	input: FollowUpInput,
	context: CommandContext<Authority>
): Result<EditId, 'item_not_found' | 'not_an_action' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	const found = actionFollowUps(doc, itemId);
	if (!found.ok) return found;
	const followUps = found.value;
	const id = newEditId();
	doc.transact(() => {
		followUps.push([{ id, ...input, at, by: actor.name, deviceId: actor.deviceId }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/** Locks the minutes: stores what they say now as the record. Refused if already locked. */
export function lockMinutes(
	doc: Y.Doc,
	context: CommandContext<Authority>
): Result<EditId, 'meeting_finished' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	if (isMinutesLocked(doc)) return err('meeting_finished');
	const id = newEditId();
	const minutes = JSON.stringify(minutesToJson(doc));
	doc.transact(() => {
		doc
			.getArray<unknown>('lock')
			.push([{ id, at, by: actor.name, deviceId: actor.deviceId, minutes }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}

/**
 * Finishing a meeting: the minutes are locked first (the record), then the list says finished.
 * A meeting still planned is refused before anything is locked (`not_started`): it is started
 * first, as the meeting page offers.
 */
export function finishMeeting(
	indexDoc: Y.Doc,
	meetingDoc: Y.Doc,
	meetingId: MeetingId,
	context: CommandContext<Authority>
): Result<EditId, 'meeting_finished' | 'meeting_not_found' | 'not_started' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	// One moment for the lock and the status, however long the lock takes to write.
	const pinned = { ...context, at: commandTime(context) };
	const meeting = findMeeting(indexDoc, meetingId);
	if (meeting) {
		const next = applyMeetingAction(readMeetingField(meeting, 'status').value, 'finish');
		if (!next.ok && next.reason === 'not_started') return err('not_started');
	}
	const locked = lockMinutes(meetingDoc, pinned);
	if (!locked.ok) return locked;
	const status = applyMeetingStatusAction(indexDoc, meetingId, 'finish', pinned);
	if (!status.ok && status.reason === 'meeting_not_found') return err('meeting_not_found');
	return locked;
}

/** An amendment to finished minutes: who, when, what; the minutes themselves stay as locked. */
export function addAmendment(
	doc: Y.Doc,
	text: string,
	context: CommandContext<Authority>
): Result<EditId, 'not_finished' | 'text_too_long' | 'text_required' | 'not_permitted'> {
	if (!permitsMeetingEdits(context)) return err('not_permitted');
	const { actor } = context;
	const at = commandTime(context);
	if (!isMinutesLocked(doc)) return err('not_finished');
	const valid = validateMeetingText(text);
	if (!valid.ok) return valid;
	if (valid.value === '') return err('text_required');
	const id = newEditId();
	doc.transact(() => {
		doc
			.getArray<unknown>('amendments')
			.push([{ id, text: valid.value, at, by: actor.name, deviceId: actor.deviceId }]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(id);
}
