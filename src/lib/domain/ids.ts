/**
 * Identifiers: branded id types and random id generation.
 *
 * Invariant: every id is one document-name segment (`ID_SEGMENT` of the wire contract,
 * src/lib/wire/doc-names.ts, the grammar the relay checks), so any id can be put into a document
 * name as it is. The document-name builders are the wire contract's, re-exported here.
 */

import { isValidIdSegment } from '../wire/doc-names.ts';
import { err, ok, type Result } from './result';

export {
	boardDocName,
	directoryDocName,
	ID_MAX_LENGTH,
	isValidIdSegment
} from '../wire/doc-names.ts';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type CommunityId = Brand<string, 'CommunityId'>;
export type GridId = Brand<string, 'GridId'>;
export type CaseId = Brand<string, 'CaseId'>;
export type EditId = Brand<string, 'EditId'>;
/** A record in the tasks document: a task, a micro-wish, a patrol route or a patrol run. */
export type WorkItemId = Brand<string, 'WorkItemId'>;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 16 characters of base 36: about 82 bits, enough that two devices never pick the same id. */
const RANDOM_LENGTH = 16;
/** The largest byte value below a multiple of 36, so the modulo does not bias the alphabet. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHABET.length);

function randomChars(count: number): string {
	let out = '';
	const bytes = new Uint8Array(count * 2);
	while (out.length < count) {
		crypto.getRandomValues(bytes);
		for (const byte of bytes) {
			if (byte >= UNBIASED_BYTE_LIMIT) continue;
			out += ALPHABET[byte % ALPHABET.length];
			if (out.length === count) break;
		}
	}
	return out;
}

/**
 * A fresh random id, optionally `{prefix}-{random}`. A prefix is a programmer's constant, so
 * an invalid one throws instead of returning a Result.
 */
export function newId(prefix?: string): string {
	const random = randomChars(RANDOM_LENGTH);
	if (prefix === undefined) return random;
	const id = `${prefix}-${random}`;
	if (!isValidIdSegment(prefix) || !isValidIdSegment(id)) {
		throw new RangeError(`newId: prefix ${JSON.stringify(prefix)} cannot start an id`);
	}
	return id;
}

export const newGridId = (): GridId => newId() as GridId;
export const newCaseId = (): CaseId => newId() as CaseId;
export const newEditId = (): EditId => newId() as EditId;

export type InvalidIdReason = 'invalid_id';

function parseId<T extends string>(value: string): Result<T, InvalidIdReason> {
	return isValidIdSegment(value) ? ok(value as T) : err('invalid_id');
}

export const parseCommunityId = (value: string) => parseId<CommunityId>(value);
export const parseGridId = (value: string) => parseId<GridId>(value);
export const parseCaseId = (value: string) => parseId<CaseId>(value);
export const parseEditId = (value: string) => parseId<EditId>(value);
export const parseWorkItemId = (value: string) => parseId<WorkItemId>(value);
