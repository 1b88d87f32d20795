/**
 * How current the community ZIP is (issue 21): per kind of document, the oldest "as of" and the
 * documents this device never heard from the relay, from the manifest's entries; and the ZIP's
 * file name.
 *
 * Invariant: pure; kinds keep the manifest's order, and a kind with any document never heard
 * still reports the oldest of the others.
 */
import type { ZipDocumentEntry } from './community-zip';

/** Per kind of document: how many, the oldest "as of" (ms), and those never heard. */
export type KindAsOf = Readonly<{
	kind: string;
	documents: number;
	oldest: number | null;
	never: readonly string[];
}>;

/** The oldest "as of" and the never-heard documents of each kind, in the manifest's order. */
export function asOfByKind(documents: readonly ZipDocumentEntry[]): KindAsOf[] {
	const kinds = new Map<string, { documents: number; oldest: number | null; never: string[] }>();
	for (const doc of documents) {
		const entry = kinds.get(doc.kind) ?? { documents: 0, oldest: null, never: [] };
		kinds.set(doc.kind, entry);
		entry.documents++;
		if (doc.asOf === null) entry.never.push(doc.name);
		else {
			const at = Date.parse(doc.asOf);
			entry.oldest = entry.oldest === null ? at : Math.min(entry.oldest, at);
		}
	}
	return [...kinds].map(([kind, entry]) => Object.freeze({ kind, ...entry }));
}

/** `gridboard-{communityId}-{yyyy-mm-dd}.zip` (the UTC day it was made). */
export const zipFileName = (communityId: string, now: number): string =>
	`gridboard-${communityId}-${new Date(now).toISOString().slice(0, 10)}.zip`;
