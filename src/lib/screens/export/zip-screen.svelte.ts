/**
 * The community ZIP's screen model (issue 21, "From the app"): the secretary opens every document
 * of the community from this device (the directory, then each grid's board and register, the
 * tasks document, the meeting index, then each meeting), builds the ZIP from them
 * (community-zip.ts) with a progress count, records the export in every register, and hands over
 * the file with what it holds: per kind of document the oldest "as of" and the documents never
 * heard from the relay.
 *
 * "As of" of a document: the later of its stored stamp (sync/stored-summaries.ts: `heard/at`,
 * `confirm/at`) and its open session's last confirmation; null when neither.
 *
 * Invariants: works with no signal (documents load from the device; a photo not on it is listed
 * as missing); only the secretary may build (anyone else gets `not_permitted` and nothing is
 * opened); every document opened is released when the build ends, however it ends; the file
 * exists only after `recordExport` accepted a record in every register; fflate and the
 * spreadsheet writers load on the first build, never with the page.
 */
import {
	boardDocName,
	directoryDocName,
	householdsDocName,
	meetingDocName,
	meetingIndexDocName,
	tasksDocName
} from '$lib/wire';
import {
	readCommunitySettings,
	readDirectory,
	type CommunitySettings,
	type GridSnapshot
} from '$lib/model/directory';
import { listMeetings } from '$lib/model/meeting';
import { listHouseholds, recordExport, type RecordExportReason } from '$lib/model/household';
import type { SessionRegistry } from '$lib/sync/session-registry';
import type { DocSession } from '$lib/sync/doc-session';
import { readStoredSummaries, type StoredSummary } from '$lib/sync/stored-summaries';
import { sha256Hex } from '$lib/sync/sha256';
import { sheetContext, type MemberContextSource } from '../household/sheet-context';
import type { ZipDoc, ZipLabels, ZipManifest } from './community-zip';
import { asOfByKind, zipFileName, type KindAsOf } from './as-of';

export type ZipPhase = 'idle' | 'opening' | 'building' | 'done' | 'failed' | 'cancelled';
export type ZipScreenProblem = RecordExportReason | 'not_permitted' | 'failed';

export type ZipFile = Readonly<{
	name: string;
	blob: Blob;
	/** An object URL of `blob` for the download link. */
	url: string;
	bytes: number;
	manifest: ZipManifest;
	asOf: readonly KindAsOf[];
}>;

export type ZipLabelSource = Readonly<{
	grids: readonly GridSnapshot[];
	settings: CommunitySettings;
}>;

export type ZipScreenDeps = Readonly<{
	communityId: string;
	communityName: () => string;
	registry: Pick<SessionRegistry, 'acquire'>;
	member: MemberContextSource;
	/** The files' words in the reader's language, for this community's grids and settings. */
	labels: (community: ZipLabelSource) => ZipLabels;
	/** This device's photos, read without asking the relay (the outbox's `localPhoto`). */
	localPhoto: (hash: string) => Promise<Readonly<{ data: ArrayBuffer; mime: string }> | null>;
	readStamps?: (docNames: readonly string[]) => Promise<readonly StoredSummary[]>;
	now?: () => number;
}>;

export class CommunityZipScreen {
	phase = $state<ZipPhase>('idle');
	done = $state(0);
	total = $state(0);
	problem = $state<ZipScreenProblem | null>(null);
	file = $state.raw<ZipFile | null>(null);
	readonly #deps: ZipScreenDeps;
	#abort: AbortController | null = null;

	constructor(deps: ZipScreenDeps) {
		this.#deps = deps;
	}

	get secretary(): boolean {
		return this.#deps.member().authority.claims.role === 'secretary';
	}

	get busy(): boolean {
		return this.phase === 'opening' || this.phase === 'building';
	}

	/** Opens every document, builds the ZIP and records it; the file, or null with `problem`. */
	async build(): Promise<ZipFile | null> {
		if (this.busy) return null;
		this.#forget();
		if (!this.secretary) return this.#fail('not_permitted');
		const abort = (this.#abort = new AbortController());
		const leases: (() => void)[] = [];
		const open = async (docName: string): Promise<DocSession> => {
			const lease = this.#deps.registry.acquire(docName);
			leases.push(() => lease.release());
			await lease.session.whenLoaded;
			return lease.session;
		};
		this.phase = 'opening';
		this.done = 0;
		this.total = 0;
		try {
			const { communityId } = this.#deps;
			const directory = await open(directoryDocName(communityId));
			const grids = readDirectory(directory.doc).grids;
			const boards = await Promise.all(grids.map((g) => open(boardDocName(communityId, g.id))));
			const registers = await Promise.all(
				grids.map((g) => open(householdsDocName(communityId, g.id)))
			);
			const [tasks, index] = await Promise.all([
				open(tasksDocName(communityId)),
				open(meetingIndexDocName(communityId))
			]);
			const meetingIds = listMeetings(index.doc).map((meeting) => meeting.id as string);
			const meetings = await Promise.all(
				meetingIds.map((id) => open(meetingDocName(communityId, id)))
			);
			const all = [directory, ...boards, ...registers, tasks, index, ...meetings];
			const stored = await (this.#deps.readStamps ?? readStoredSummaries)(
				all.map((s) => s.docName)
			);
			// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
			const stamps = new Map(stored.map((s) => [s.docName, s.asOf]));
			const zipDoc = (session: DocSession): ZipDoc => {
				const known = [stamps.get(session.docName) ?? null, session.getState().lastConfirmedAt];
				const heard = known.filter((at) => at !== null);
				return {
					docName: session.docName,
					doc: session.doc,
					asOf: heard.length > 0 ? Math.max(...heard) : null
				};
			};
			if (abort.signal.aborted) return this.#cancelled();

			this.phase = 'building';
			const [{ buildCommunityZip }, { tableCsv, tablesXlsx }, { zipSync }] = await Promise.all([
				import('./community-zip'),
				import('$lib/spreadsheets/write'),
				import('fflate')
			]);
			const gridOf = (i: number) => ({ gridId: grids[i]!.id, gridName: grids[i]!.name });
			const now = (this.#deps.now ?? Date.now)();
			const built = await buildCommunityZip(
				{
					communityId,
					communityName: this.#deps.communityName(),
					directory: zipDoc(directory),
					boards: boards.map((s, i) => ({ ...zipDoc(s), ...gridOf(i) })),
					registers: registers.map((s, i) => ({ ...zipDoc(s), ...gridOf(i) })),
					tasks: zipDoc(tasks),
					meetingIndex: zipDoc(index),
					meetings: meetings.map((s, i) => ({ ...zipDoc(s), meetingId: meetingIds[i]! }))
				},
				{
					labels: this.#deps.labels({ grids, settings: readCommunitySettings(directory.doc) }),
					writers: { csv: tableCsv, xlsx: tablesXlsx },
					photo: async (hash) => {
						const photo = await this.#deps.localPhoto(hash).catch(() => null);
						return photo ? { bytes: new Uint8Array(photo.data), mime: photo.mime } : null;
					},
					sha256: sha256Hex,
					now,
					signal: abort.signal,
					onProgress: (done, total) => {
						this.done = done;
						this.total = total;
					}
				}
			);
			if (!built.ok) return this.#cancelled();
			for (const [i, register] of registers.entries()) {
				const households = listHouseholds(register.doc).filter((h) => !h.deleted).length;
				const recorded = recordExport(
					register.doc,
					{ scope: 'community', format: 'zip', full: false, households },
					sheetContext(this.#deps.member, grids[i]!.id)
				);
				if (!recorded.ok) return this.#fail(recorded.reason);
			}
			// Photos and spreadsheets are compressed already: stored, the rest deflated.
			const zipped = zipSync(
				Object.fromEntries(
					Object.entries(built.value.files).map(([path, bytes]) => [
						path,
						[bytes, { level: /\.(jpg|png|webp|xlsx)$/.test(path) ? 0 : 6 }] as const
					])
				) as never,
				{ mtime: now }
			);
			const blob = new Blob([zipped as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
			const file: ZipFile = Object.freeze({
				name: zipFileName(communityId, now),
				blob,
				url: URL.createObjectURL(blob),
				bytes: blob.size,
				manifest: built.value.manifest,
				asOf: asOfByKind(built.value.manifest.documents)
			});
			this.file = file;
			this.phase = 'done';
			return file;
		} catch {
			return this.#fail('failed');
		} finally {
			for (const release of leases) release();
			if (this.#abort === abort) this.#abort = null;
		}
	}

	/** Stops a build at its next step; nothing is handed over. */
	cancel(): void {
		this.#abort?.abort();
	}

	/** Releases the file's URL and stops a build (the page calls it when it goes). */
	destroy(): void {
		this.cancel();
		this.#forget();
	}

	#forget(): void {
		if (this.file) URL.revokeObjectURL(this.file.url);
		this.file = null;
		this.problem = null;
	}

	#cancelled(): null {
		this.phase = 'cancelled';
		return null;
	}

	#fail(problem: ZipScreenProblem): null {
		this.problem = problem;
		this.phase = 'failed';
		return null;
	}
}
