/**
 * Photo outbox and cache: photo bytes live in their own IndexedDB database
 * (`gridboard:photos`, wiped by sign-out with every other `gridboard:` database) until the relay
 * confirmed storing them, and stay there afterwards as the device's cache.
 *
 *   photos (key `${communityId}/${hash}`): { key, communityId, hash, mime, width, height, size,
 *                                           data: ArrayBuffer, state: 'pending' | 'stored', addedAt }
 *
 * Invariants:
 * - `add` resolves only after the bytes are committed to IndexedDB, so a photo attached to a
 *   case is on the device before the case names it; it shows at once with no signal.
 * - A pending photo is only ever marked stored after the relay answered 201 or 200 for its
 *   hash; nothing is deleted on failure. Uploads run one at a time, oldest first, with
 *   exponential backoff (reset when the browser comes online, or on `retryNow`, which the app
 *   also calls whenever a relay connection opens). A network failure (no answer) while the
 *   browser says it is online waits at most `NETWORK_RETRY_MAX_MS`, so a photo reaches the
 *   relay within seconds of the signal coming back even when no `online` event fires (a phone
 *   "online" on a dead network never gets one); a refusal from the relay backs off to a minute.
 * - Every write is a readwrite transaction with `durability: 'strict'` (like local-store.ts):
 *   "on this device" means flushed to disk, not in the OS cache.
 * - `pendingCount()` is the number of photos on this device the relay has not confirmed, read
 *   from IndexedDB at start (`pendingKnown()` until then) and kept up to date: the status bar
 *   and sign-out count them like changes.
 * - A photo missing locally is fetched from the relay with the bearer token and cached.
 *   `watchBlob` keeps asking while the relay does not have it yet (see `MISSING_RETRY_MS`).
 * - The database closes itself on `versionchange`, so sign-out's deleteDatabase is never blocked.
 *
 * Why `watchBlob` exists (a flaky end-to-end run, issue 15): a photo taken offline is named by
 * its document (a case, a task) and uploaded separately. When the phone comes back online both
 * leave at once, the document over the WebSocket and the bytes as an HTTP PUT; the relay
 * broadcasts the document as soon as it arrives, but answers the PUT only after writing and
 * fsyncing the file. So another phone often learns of the photo before the relay has it, asks,
 * and gets 404. PhotoThumb used to ask once and then only again on the browser's `online`
 * event, which a phone that never lost signal never fires: the photo stayed "not on this phone"
 * until the page was reopened. Now a missing photo is asked for again after 1, 1, 2, 4, 4… s
 * (30 s after two minutes), at once on `online`, so it shows within seconds of reaching the relay.
 */

import { backoffDelay } from './backoff.ts';
import { sha256Hex } from './sha256.ts';
import type { DocSession } from './doc-session.ts';
import type { SessionRegistry } from './session-registry.ts';
import type { TokenResult } from './token-manager';

export const PHOTO_DB_NAME = 'gridboard:photos';
const STORE = 'photos';

export type PhotoStatus = 'waiting' | 'uploading' | 'stored' | 'failed';

export type PhotoState = Readonly<{
	status: PhotoStatus;
	/** 0–1 while uploading. */
	progress: number;
	/** Why the last attempt failed (a relay reason, `offline`, `network`…). */
	error: string | null;
}>;

export type NewPhoto = Readonly<{
	hash: string;
	mime: string;
	width: number;
	height: number;
	data: ArrayBuffer;
}>;

type Row = {
	key: string;
	communityId: string;
	hash: string;
	mime: string;
	width: number;
	height: number;
	size: number;
	data: ArrayBuffer;
	state: 'pending' | 'stored';
	addedAt: number;
};

export type UploadRequest = Readonly<{
	url: string;
	token: string;
	mime: string;
	data: ArrayBuffer;
	onProgress(fraction: number): void;
}>;

/** An upload's answer: the HTTP status and the relay's error reason, or 0 when unreachable. */
export type UploadAnswer = Readonly<{ status: number; error: string | null }>;

export type Uploader = (request: UploadRequest) => Promise<UploadAnswer>;

export type TokenGetter = Readonly<{
	get(): Promise<TokenResult>;
	fresh(): Promise<TokenResult>;
}>;

/** Longest wait between uploads that failed for lack of an answer (no network). */
export const NETWORK_RETRY_MAX_MS = 3000;
/** Waits between asks for a photo the relay does not have yet; the last one repeats. */
export const MISSING_RETRY_MS = [1000, 1000, 2000, 4000] as const;
/** After this long of asking, a still-missing photo is asked for every `MISSING_SLOW_MS`. */
export const MISSING_FAST_FOR_MS = 120_000;
export const MISSING_SLOW_MS = 30_000;

/**
 * How long the upload queue waits after its `failures`-th failure in a row (1, 2, …). `network`:
 * no answer at all (the device thinks it is online but nothing gets through) or no token for
 * lack of network; short, so the photo leaves soon after the signal returns. `refused`: the relay
 * answered with an error; back off up to `maxMs`.
 */
export function uploadRetryDelay(
	failures: number,
	kind: 'network' | 'refused' | 'offline',
	baseMs = 2000,
	maxMs = 60_000
): number {
	const cap = kind === 'network' ? Math.min(maxMs, NETWORK_RETRY_MAX_MS) : maxMs;
	return backoffDelay(Math.max(1, failures), { baseMs, maxMs: cap });
}

/** Wait before the `attempt`-th new ask (1, 2, …) for a photo the relay does not have yet. */
export function missingRetryDelay(attempt: number, elapsedMs: number): number {
	if (elapsedMs >= MISSING_FAST_FOR_MS) return MISSING_SLOW_MS;
	return MISSING_RETRY_MS[Math.min(Math.max(0, attempt - 1), MISSING_RETRY_MS.length - 1)]!;
}

export type PhotoOutboxOptions = Readonly<{
	communityId: string;
	/** Relay tokens; null (signed out) keeps photos local. */
	tokens: TokenGetter | null;
	/** Origin of the relay API; '' = same origin. */
	baseUrl?: string;
	indexedDB?: IDBFactory;
	upload?: Uploader;
	fetch?: (input: string, init?: RequestInit) => Promise<Response>;
	isOnline?: () => boolean;
	/** Fires `online`; default `window` in a browser. */
	networkEvents?: EventTarget | null;
	retryBaseMs?: number;
	retryMaxMs?: number;
	/** Scales `missingRetryDelay` (tests); default 1. */
	missingRetryScale?: number;
	now?: () => number;
	/** The app's document sessions: whenever one's relay connection opens, uploads start at once. */
	sessions?: Pick<SessionRegistry, 'all' | 'watchSessions'>;
}>;

export interface PhotoOutbox {
	/** Stores the bytes (committed before it resolves) and queues the upload. */
	add(photo: NewPhoto): Promise<void>;
	/** The bytes, from this device or else fetched from the relay and cached; null if neither. */
	blob(hash: string): Promise<Blob | null>;
	/** The bytes and type if this device holds them; never asks the relay (the community ZIP). */
	localPhoto(hash: string): Promise<Readonly<{ data: ArrayBuffer; mime: string }> | null>;
	/**
	 * Like `blob`, but a photo the relay does not have yet (or that cannot be fetched for lack of
	 * signal) is asked for again until it comes: `onMissing` each time it is not there,
	 * `onBlob` once with the bytes. Stops on a refusal (403) or when the returned function runs.
	 */
	watchBlob(hash: string, onBlob: (blob: Blob) => void, onMissing?: () => void): () => void;
	/** Upload state of a photo this device is uploading or uploaded in this session, else null. */
	state(hash: string): PhotoState | null;
	/** Photos on this device not yet confirmed by the relay (this community). */
	pendingCount(): number;
	/** The pending photos stored by earlier sessions have been read (`pendingCount` is whole). */
	pendingKnown(): boolean;
	subscribe(listener: () => void): () => void;
	/** Starts the upload queue now (app start, `online`, the user's retry). */
	retryNow(): void;
	/** Resolves once nothing is pending (tests, sign-out warnings) or rejects after `timeoutMs`. */
	whenIdle(timeoutMs?: number): Promise<void>;
	destroy(): void;
}

const STORED: PhotoState = Object.freeze({ status: 'stored', progress: 1, error: null });

function request<T>(req: IDBRequest<T>): Promise<T> {
	return new Promise((resolve, reject) => {
		req.onsuccess = () => resolve(req.result);
		req.onerror = () => reject(req.error ?? new Error('indexeddb request failed'));
	});
}

function done(tx: IDBTransaction): Promise<void> {
	return new Promise((resolve, reject) => {
		tx.oncomplete = () => resolve();
		tx.onerror = () => reject(tx.error ?? new Error('indexeddb transaction failed'));
		tx.onabort = () => reject(tx.error ?? new Error('indexeddb transaction aborted'));
	});
}

/** Uploads with XMLHttpRequest where it exists (real upload progress), else fetch. */
export const defaultUploader: Uploader = (req) => {
	if (typeof XMLHttpRequest === 'undefined') return fetchUploader(globalThis.fetch)(req);
	return new Promise((resolve) => {
		const xhr = new XMLHttpRequest();
		xhr.open('PUT', req.url);
		xhr.setRequestHeader('Content-Type', req.mime);
		xhr.setRequestHeader('Authorization', `Bearer ${req.token}`);
		xhr.upload.onprogress = (event) => {
			if (event.lengthComputable && event.total > 0) req.onProgress(event.loaded / event.total);
		};
		xhr.onload = () => {
			let error: string | null;
			try {
				error = (JSON.parse(xhr.responseText) as { error?: string }).error ?? null;
			} catch {
				error = null;
			}
			resolve({ status: xhr.status, error });
		};
		xhr.onerror = () => resolve({ status: 0, error: 'network' });
		xhr.ontimeout = () => resolve({ status: 0, error: 'timeout' });
		xhr.timeout = 120_000;
		xhr.send(new Blob([req.data], { type: req.mime }));
	});
};

/** A fetch-based uploader (no upload progress: 0 until the answer, then 1). */
export function fetchUploader(
	doFetch: (input: string, init?: RequestInit) => Promise<Response>
): Uploader {
	return async (req) => {
		req.onProgress(0);
		try {
			const response = await doFetch(req.url, {
				method: 'PUT',
				headers: { 'Content-Type': req.mime, Authorization: `Bearer ${req.token}` },
				body: new Uint8Array(req.data)
			});
			const body = (await response.json().catch(() => null)) as { error?: string } | null;
			if (response.ok) req.onProgress(1);
			return { status: response.status, error: body?.error ?? null };
		} catch {
			return { status: 0, error: 'network' };
		}
	};
}

/**
 * Tries the pending photos at once whenever one of the sessions' relay connections opens: the
 * relay is reachable right now, whatever the browser's `online` flag said before (a phone on a
 * network that carried nothing is "online" and never fires the event when it recovers).
 */
function retryOnConnect(
	sessions: Pick<SessionRegistry, 'all' | 'watchSessions'>,
	outbox: PhotoOutbox
): () => void {
	const online = new WeakMap<DocSession, boolean>();
	const isOnline = (session: DocSession) => session.getState().connection === 'online';
	const seen = () => {
		for (const session of sessions.all()) {
			if (!online.has(session)) online.set(session, isOnline(session));
		}
	};
	seen();
	return sessions.watchSessions((session) => {
		if (!session) return seen();
		const now = isOnline(session);
		if (now && online.get(session) === false && outbox.pendingCount() > 0) outbox.retryNow();
		online.set(session, now);
	});
}

export function createPhotoOutbox(options: PhotoOutboxOptions): PhotoOutbox {
	const { communityId } = options;
	const factory = options.indexedDB ?? globalThis.indexedDB;
	const baseUrl = options.baseUrl ?? '';
	const upload = options.upload ?? defaultUploader;
	const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
	const isOnline = options.isOnline ?? (() => globalThis.navigator?.onLine ?? true);
	const events =
		options.networkEvents === undefined
			? typeof window === 'undefined'
				? null
				: window
			: options.networkEvents;
	const retryBaseMs = options.retryBaseMs ?? 2000;
	const retryMaxMs = options.retryMaxMs ?? 60_000;
	const now = options.now ?? Date.now;
	const scale = options.missingRetryScale ?? 1;
	const keyOf = (hash: string): string => `${communityId}/${hash}`;
	const blobUrl = (hash: string): string =>
		`${baseUrl}/api/communities/${encodeURIComponent(communityId)}/blobs/${hash}`;

	const states = new Map<string, PhotoState>();
	const listeners = new Set<() => void>();
	const inFlightFetches = new Map<string, Promise<Blob | null>>();
	const inFlightRemote = new Map<string, Promise<{ blob: Blob } | { retry: boolean }>>();
	let destroyed = false;
	let running = false;
	let rerun = false;
	let failures = 0;
	/** Why the last pass failed: decides how long the next one waits. */
	let failureKind: 'network' | 'refused' | 'offline' = 'refused';
	/** Hashes of this community's photos not yet confirmed (see `pendingCount`). */
	const pendingHashes = new Set<string>();
	let pendingRead = false;
	let timer: ReturnType<typeof setTimeout> | null = null;
	let dbPromise: Promise<IDBDatabase> | null = null;

	const notify = (): void => {
		for (const listener of [...listeners]) listener();
	};
	const setState = (hash: string, state: PhotoState): void => {
		states.set(hash, Object.freeze(state));
		notify();
	};

	const open = (): Promise<IDBDatabase> => {
		dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
			const req = factory.open(PHOTO_DB_NAME, 1);
			req.onupgradeneeded = () => {
				const store = req.result.createObjectStore(STORE, { keyPath: 'key' });
				store.createIndex('byState', ['communityId', 'state']);
			};
			req.onsuccess = () => {
				const db = req.result;
				db.onversionchange = () => {
					db.close();
					dbPromise = null;
				};
				db.onclose = () => {
					dbPromise = null;
				};
				resolve(db);
			};
			req.onerror = () => {
				dbPromise = null;
				reject(req.error ?? new Error('cannot open photo database'));
			};
			req.onblocked = () => reject(new Error('photo database blocked'));
		});
		return dbPromise;
	};

	const readRow = async (hash: string): Promise<Row | undefined> => {
		const db = await open();
		const tx = db.transaction(STORE, 'readonly');
		return (await request(tx.objectStore(STORE).get(keyOf(hash)))) as Row | undefined;
	};

	const writeRow = async (row: Row, onlyIfAbsent = false): Promise<void> => {
		const db = await open();
		const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
		const store = tx.objectStore(STORE);
		if (onlyIfAbsent) {
			const existing = (await request(store.get(row.key))) as Row | undefined;
			if (existing) {
				await done(tx);
				return;
			}
		}
		store.put(row);
		await done(tx);
	};

	const markStored = async (hash: string): Promise<void> => {
		const db = await open();
		const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
		const store = tx.objectStore(STORE);
		const row = (await request(store.get(keyOf(hash)))) as Row | undefined;
		if (row && row.state !== 'stored') store.put({ ...row, state: 'stored' });
		await done(tx);
	};

	const pendingRows = async (): Promise<Row[]> => {
		const db = await open();
		const tx = db.transaction(STORE, 'readonly');
		const index = tx.objectStore(STORE).index('byState');
		const rows = (await request(index.getAll([communityId, 'pending']))) as Row[];
		return rows.sort((a, b) => a.addedAt - b.addedAt || (a.key < b.key ? -1 : 1));
	};

	const schedule = (delayMs: number): void => {
		if (destroyed) return;
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => {
			timer = null;
			void run();
		}, delayMs);
	};

	/** One pass over the pending photos, oldest first; schedules itself again on failure. */
	const run = async (): Promise<void> => {
		if (destroyed) return;
		if (running) {
			rerun = true;
			return;
		}
		running = true;
		let failed = false;
		try {
			const rows = await pendingRows();
			for (const row of rows) pendingHashes.add(row.hash);
			if (!pendingRead) {
				pendingRead = true;
				notify();
			}
			for (const row of rows) {
				if (!states.has(row.hash) || states.get(row.hash)?.status === 'stored') {
					setState(row.hash, { status: 'waiting', progress: 0, error: null });
				}
			}
			for (const row of rows) {
				if (destroyed) return;
				const ok = await uploadOne(row);
				if (!ok) {
					failed = true;
					break;
				}
			}
		} catch (error) {
			failed = true;
			failureKind = 'refused';
			console.warn('photo outbox', error);
		} finally {
			running = false;
		}
		if (rerun) {
			rerun = false;
			schedule(0);
		} else if (failed) {
			failures++;
			schedule(uploadRetryDelay(failures, failureKind, retryBaseMs, retryMaxMs));
		} else {
			failures = 0;
		}
	};

	const uploadOne = async (row: Row): Promise<boolean> => {
		const { hash } = row;
		if (!options.tokens || !isOnline()) {
			// The `online` event (or a relay connection opening) starts the queue again.
			failureKind = 'offline';
			setState(hash, { status: 'waiting', progress: 0, error: 'offline' });
			return false;
		}
		let token = await options.tokens.get();
		if (!token.ok) {
			// No token: the token request found no network (retry soon) or was refused.
			failureKind = token.reason === 'offline' ? 'network' : 'refused';
			setState(hash, { status: 'waiting', progress: 0, error: token.reason });
			return false;
		}
		for (let attempt = 0; attempt < 2; attempt++) {
			setState(hash, { status: 'uploading', progress: 0, error: null });
			const answer = await upload({
				url: blobUrl(hash),
				token: token.token,
				mime: row.mime,
				data: row.data,
				onProgress: (fraction) =>
					setState(hash, {
						status: 'uploading',
						progress: Math.max(0, Math.min(1, fraction)),
						error: null
					})
			});
			if (answer.status === 201 || answer.status === 200) {
				await markStored(hash);
				pendingHashes.delete(hash);
				setState(hash, STORED);
				return true;
			}
			if (answer.status === 401 && attempt === 0) {
				const fresh = await options.tokens.fresh();
				if (!fresh.ok) break;
				token = fresh;
				continue;
			}
			const offline = answer.status === 0;
			failureKind = offline ? 'network' : 'refused';
			setState(hash, {
				status: offline && !isOnline() ? 'waiting' : 'failed',
				progress: 0,
				error: answer.error ?? String(answer.status)
			});
			return false;
		}
		failureKind = 'refused';
		setState(hash, { status: 'failed', progress: 0, error: 'token_invalid' });
		return false;
	};

	const onOnline = (): void => {
		failures = 0;
		schedule(0);
	};
	events?.addEventListener('online', onOnline);

	const outbox: PhotoOutbox = {
		async add(photo) {
			const existing = await readRow(photo.hash);
			if (existing) return;
			await writeRow(
				{
					key: keyOf(photo.hash),
					communityId,
					hash: photo.hash,
					mime: photo.mime,
					width: photo.width,
					height: photo.height,
					size: photo.data.byteLength,
					data: photo.data,
					state: 'pending',
					addedAt: now()
				},
				true
			);
			pendingHashes.add(photo.hash);
			setState(photo.hash, { status: 'waiting', progress: 0, error: null });
			failures = 0;
			schedule(0);
		},

		async blob(hash) {
			const row = await readRow(hash).catch(() => undefined);
			if (row) return new Blob([row.data], { type: row.mime });
			let pending = inFlightFetches.get(hash);
			if (!pending) {
				pending = fetchRemote(hash).finally(() => inFlightFetches.delete(hash));
				inFlightFetches.set(hash, pending);
			}
			return pending;
		},

		async localPhoto(hash) {
			const row = await readRow(hash).catch(() => undefined);
			return row ? { data: row.data, mime: row.mime } : null;
		},

		watchBlob(hash, onBlob, onMissing) {
			let stopped = false;
			let attempt = 0;
			let wait: ReturnType<typeof setTimeout> | null = null;
			const started = now();
			const ask = async (): Promise<void> => {
				if (wait) clearTimeout(wait);
				wait = null;
				if (stopped || destroyed) return;
				const row = await readRow(hash).catch(() => undefined);
				const result = row
					? ({ blob: new Blob([row.data], { type: row.mime }) } as const)
					: await remote(hash);
				if (stopped || destroyed) return;
				if ('blob' in result) {
					stopped = true;
					onBlob(result.blob);
					return;
				}
				onMissing?.();
				// Refused for good, or offline: the `online` listener below asks again.
				if (!result.retry || !isOnline()) return;
				attempt++;
				wait = setTimeout(() => void ask(), missingRetryDelay(attempt, now() - started) * scale);
			};
			const onOnline = (): void => {
				attempt = 0;
				void ask();
			};
			events?.addEventListener('online', onOnline);
			void ask();
			return () => {
				stopped = true;
				if (wait) clearTimeout(wait);
				events?.removeEventListener('online', onOnline);
			};
		},

		state(hash) {
			return states.get(hash) ?? null;
		},

		pendingCount() {
			return pendingHashes.size;
		},

		pendingKnown() {
			return pendingRead;
		},

		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},

		retryNow() {
			failures = 0;
			schedule(0);
		},

		whenIdle(timeoutMs = 30_000) {
			return new Promise((resolve, reject) => {
				const check = async (): Promise<boolean> => (await pendingRows()).length === 0;
				const deadline = setTimeout(() => {
					stop();
					reject(new Error('photo uploads still pending'));
				}, timeoutMs);
				const stop = outbox.subscribe(() => {
					void check().then((empty) => {
						if (empty) finish();
					});
				});
				const finish = (): void => {
					clearTimeout(deadline);
					stop();
					resolve();
				};
				void check().then((empty) => {
					if (empty) finish();
				});
			});
		},

		destroy() {
			destroyed = true;
			if (timer) clearTimeout(timer);
			stopWatchingSessions();
			events?.removeEventListener('online', onOnline);
			listeners.clear();
			void dbPromise?.then((db) => db.close()).catch(() => {});
		}
	};

	const stopWatchingSessions = options.sessions
		? retryOnConnect(options.sessions, outbox)
		: () => {};

	const fetchRemote = async (hash: string): Promise<Blob | null> => {
		const result = await remote(hash);
		return 'blob' in result ? result.blob : null;
	};

	/** One fetch from the relay (shared by concurrent askers); `retry`: worth asking again. */
	const remote = (hash: string): Promise<{ blob: Blob } | { retry: boolean }> => {
		let pending = inFlightRemote.get(hash);
		if (!pending) {
			pending = fetchOnce(hash).finally(() => inFlightRemote.delete(hash));
			inFlightRemote.set(hash, pending);
		}
		return pending;
	};

	const fetchOnce = async (hash: string): Promise<{ blob: Blob } | { retry: boolean }> => {
		if (!options.tokens) return { retry: false };
		if (!isOnline()) return { retry: true };
		let token = await options.tokens.get();
		if (!token.ok) return { retry: true };
		let response: Response | null = null;
		for (let attempt = 0; attempt < 2; attempt++) {
			try {
				response = await doFetch(blobUrl(hash), {
					headers: { Authorization: `Bearer ${token.token}` }
				});
			} catch {
				return { retry: true };
			}
			if (response.status !== 401 || attempt > 0) break;
			const fresh = await options.tokens.fresh();
			if (!fresh.ok) return { retry: true };
			token = fresh;
		}
		if (!response || !response.ok) {
			// 404: not uploaded yet (the photographer's phone may still be offline); 5xx: a hiccup.
			// 403: this member may not see it: asking again will not change that.
			return { retry: response?.status !== 403 && response?.status !== 400 };
		}
		const data = await response.arrayBuffer();
		if ((await sha256Hex(data)) !== hash) return { retry: false };
		const mime = response.headers.get('content-type') ?? 'image/jpeg';
		await writeRow(
			{
				key: keyOf(hash),
				communityId,
				hash,
				mime,
				width: 0,
				height: 0,
				size: data.byteLength,
				data,
				state: 'stored',
				addedAt: now()
			},
			true
		).catch(() => {});
		return { blob: new Blob([data], { type: mime }) };
	};

	// App start: whatever an earlier session left pending goes out now.
	schedule(0);
	return outbox;
}
