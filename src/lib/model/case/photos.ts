/**
 * Case photos: the photo refs of a case in its board document (docs/ledger.md).
 *
 *   case map: photos: Y.Array<PhotoRef>       appended, never edited or removed
 *             photos~<clientID>: Y.Array<PhotoRef>  the same list, for a case that had none
 *             timeline: … { kind: 'photo_added', hash, photo: PhotoRef } …
 *
 * The bytes travel outside Yjs (src/lib/sync/photo-outbox.ts → the relay's blob store); the
 * document only names them by sha-256.
 *
 * Invariants:
 * - `attachCasePhoto` appends the ref and its `photo_added` timeline entry in one transaction
 *   (ORIGIN_LOCAL_EDIT); attaching a hash the case already has writes nothing.
 * - `photos` is a log slot (model/slots.ts): a case without the array gets one under the
 *   writer's own `photos~<clientID>` key, never `photos` itself, so two phones attaching the
 *   first photo offline never create one key twice (Yjs would keep one array and drop the other;
 *   the relay refuses the second as a `history` change). Readers take the union of the slots.
 *   The timeline entry carries the whole ref too (older cases were written before slots).
 * - `readCasePhotos` returns frozen refs, one per hash, oldest first (at, then hash), the same
 *   on every replica; malformed entries are skipped.
 */

import * as Y from 'yjs';
import { newEditId, type CaseId } from '../../domain/ids';
import { err, ok, type Result } from '../../domain/result';
import { mayOperate } from '../../domain/case-permissions';
import { findCase, readCaseField } from './schema';
import { ORIGIN_LOCAL_EDIT } from '../origins';
import { logSlots, writableLogSlot } from '../slots';
import { commandTime } from '../command-context';
import type { CaseCommandContext } from './commands';

export const PHOTO_MIMES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoMime = (typeof PHOTO_MIMES)[number];

export type PhotoRef = Readonly<{
	/** sha-256 of the bytes, 64 lowercase hex digits. */
	hash: string;
	mime: PhotoMime;
	width: number;
	height: number;
	bytes: number;
	addedBy: string;
	deviceId: string;
	at: number;
}>;

/** What the device knows about a photo before it is attached (the rest comes from the actor). */
export type PhotoInput = Pick<PhotoRef, 'hash' | 'mime' | 'width' | 'height' | 'bytes'>;

export type AttachPhotoReason = 'case_not_found' | 'bad_photo' | 'not_permitted';

const HASH = /^[0-9a-f]{64}$/;

function isCount(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A frozen, well-formed copy of a stored ref, or null. */
export function parsePhotoRef(raw: unknown): PhotoRef | null {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
	const r = raw as Record<string, unknown>;
	if (typeof r.hash !== 'string' || !HASH.test(r.hash)) return null;
	if (typeof r.mime !== 'string' || !(PHOTO_MIMES as readonly string[]).includes(r.mime)) {
		return null;
	}
	if (!isCount(r.width) || !isCount(r.height) || !isCount(r.bytes)) return null;
	if (typeof r.addedBy !== 'string' || typeof r.deviceId !== 'string') return null;
	if (typeof r.at !== 'number' || !Number.isFinite(r.at)) return null;
	return Object.freeze({
		hash: r.hash,
		mime: r.mime as PhotoMime,
		width: r.width,
		height: r.height,
		bytes: r.bytes,
		addedBy: r.addedBy,
		deviceId: r.deviceId,
		at: r.at
	});
}

/** Every stored photo ref of a case map, from `photos` and each `photos~<clientID>` slot. */
export function storedPhotoRefs(map: Y.Map<unknown>): unknown[] {
	return logSlots(map, PHOTOS_KEY).flatMap((slot) => slot.toArray());
}

const PHOTOS_KEY = 'photos';

function collect(doc: Y.Doc, caseId: CaseId): PhotoRef[] | null {
	const record = findCase(doc, caseId);
	if (!record) return null;
	const byHash = new Map<string, PhotoRef>();
	const add = (ref: PhotoRef | null): void => {
		if (!ref) return;
		const seen = byHash.get(ref.hash);
		if (!seen || ref.at < seen.at || (ref.at === seen.at && ref.deviceId < seen.deviceId)) {
			byHash.set(ref.hash, ref);
		}
	};
	for (const raw of storedPhotoRefs(record.map)) add(parsePhotoRef(raw));
	for (const raw of record.timeline.toArray()) {
		if (
			typeof raw === 'object' &&
			raw !== null &&
			(raw as { kind?: unknown }).kind === 'photo_added'
		) {
			add(parsePhotoRef((raw as { photo?: unknown }).photo));
		}
	}
	return [...byHash.values()].sort((a, b) =>
		a.at !== b.at ? a.at - b.at : a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0
	);
}

/** The photos of a case, one per hash, oldest first; empty for an unknown case. */
export function readCasePhotos(doc: Y.Doc, caseId: CaseId): readonly PhotoRef[] {
	return Object.freeze(collect(doc, caseId) ?? []);
}

/**
 * Attaches a photo (already stored in the device's outbox) to a case: the ref and a
 * `photo_added` timeline entry, in one transaction. Returns the ref as stored.
 */
export function attachCasePhoto(
	doc: Y.Doc,
	caseId: CaseId,
	input: PhotoInput,
	context: CaseCommandContext
): Result<PhotoRef, AttachPhotoReason> {
	const { actor, authority } = context;
	const at = commandTime(context);
	const ref = parsePhotoRef({
		hash: input.hash,
		mime: input.mime,
		width: input.width,
		height: input.height,
		bytes: input.bytes,
		addedBy: actor.name,
		deviceId: actor.deviceId,
		at
	});
	if (!ref) return err('bad_photo');
	const record = findCase(doc, caseId);
	if (!record) return err('case_not_found');
	const state = {
		status: readCaseField(record, 'status').value,
		tier: readCaseField(record, 'tier').value
	};
	if (!mayOperate(authority.claims, authority.gridId, 'attach_photo', state)) {
		return err('not_permitted');
	}
	const existing = collect(doc, caseId)?.find((photo) => photo.hash === ref.hash);
	if (existing) return ok(existing);
	doc.transact(() => {
		// A case without the array gets this replica's own slot on first use.
		writableLogSlot(record.map, PHOTOS_KEY).push([{ ...ref }]);
		record.timeline.push([
			{
				id: newEditId(),
				kind: 'photo_added',
				at,
				by: actor.name,
				deviceId: actor.deviceId,
				hash: ref.hash,
				photo: { ...ref }
			}
		]);
	}, ORIGIN_LOCAL_EDIT);
	return ok(ref);
}
