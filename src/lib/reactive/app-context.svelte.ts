/**
 * The app's long-lived state, handed down through Svelte context (never a module singleton):
 * the document session registry, this device's identity and the community in use.
 */
import { getContext, setContext } from 'svelte';
import type { Actor } from '$lib/domain/actor';
import { createSessionRegistry, type SessionRegistry } from '$lib/sync/session-registry';
import { requestPersistentStorage } from '$lib/sync/storage-info';
import {
	readCommunityId,
	readDeviceId,
	readDisplayName,
	writeDisplayName
} from './device-identity';

const KEY = Symbol('gridboard-app');

/** The relay's sync endpoint: same origin in production, proxied by Vite in development. */
export function relayUrlFor(location: Location): string {
	const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
	return `${scheme}://${location.host}/sync`;
}

export class AppState {
	readonly registry: SessionRegistry;
	readonly deviceId: string;
	readonly communityId: string;
	displayName = $state<string | null>(null);

	constructor() {
		this.registry = createSessionRegistry({ relayUrl: relayUrlFor(window.location) });
		this.deviceId = readDeviceId();
		this.communityId = readCommunityId();
		this.displayName = readDisplayName();
		this.#askPersistenceAfterFirstSave();
	}

	/**
	 * Browsers grant persistent storage to sites people use; the right moment to ask is right after
	 * something was saved (web.dev/persistent-storage). The answer is remembered, so this asks once.
	 */
	#askPersistenceAfterFirstSave(): void {
		const watched = new WeakSet<object>();
		let asked = false;
		const stop = this.registry.subscribe((sessions) => {
			for (const session of sessions) {
				if (watched.has(session)) continue;
				watched.add(session);
				let sawWrite = false;
				session.subscribe((state) => {
					if (state.local === 'saving') sawWrite = true;
					if (sawWrite && state.local === 'saved' && !asked) {
						asked = true;
						stop();
						void requestPersistentStorage();
					}
				});
			}
		});
	}

	setDisplayName(name: string): void {
		writeDisplayName(name);
		this.displayName = name;
	}

	/** The actor every command records; only valid once a display name was chosen. */
	get actor(): Actor {
		return { name: this.displayName ?? '?', deviceId: this.deviceId };
	}
}

export function setAppState(state: AppState): AppState {
	return setContext(KEY, state);
}

export function getAppState(): AppState {
	return getContext<AppState>(KEY);
}
