/**
 * Identifiers: branded id types, random id generation and document names.
 *
 * Invariant: every id is one document-name segment, `^[a-z0-9][a-z0-9_-]{0,39}$` (the same
 * grammar the relay checks), so any id can be put into a document name as it is.
 */

import { err, ok, type Result } from './result';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

export type CommunityId = Brand<string, 'CommunityId'>;
export type GridId = Brand<string, 'GridId'>;
export type CaseId = Brand<string, 'CaseId'>;
export type EditId = Brand<string, 'EditId'>;

const ID_SEGMENT = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** 16 characters of base 36: about 82 bits, enough that two devices never pick the same id. */
const RANDOM_LENGTH = 16;
/** The largest byte value below a multiple of 36, so the modulo does not bias the alphabet. */
const UNBIASED_BYTE_LIMIT = 256 - (256 % ALPHABET.length);

export function isValidIdSegment(value: unknown): value is string {
	return typeof value === 'string' && ID_SEGMENT.test(value);
}

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

/** The community's grid list: `c/{communityId}/directory`. */
export function directoryDocName(communityId: CommunityId): string {
	return `c/${communityId}/directory`;
}

/** One grid's problem ledger: `c/{communityId}/board/{gridId}`. */
export function boardDocName(communityId: CommunityId, gridId: GridId): string {
	return `c/${communityId}/board/${gridId}`;
}
