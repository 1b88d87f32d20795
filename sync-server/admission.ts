/**
 * The admission gate: every WebSocket upgrade passes it before a document is loaded or created
 * (docs/access.md).
 *
 *   path grammar ─▶ Origin ─▶ connections per IP ─▶ token ─▶ access matrix ─▶ admitted
 *   (HTTP 404/400)  (HTTP 403)  (HTTP 429)            (4401/4403 after the upgrade)
 *
 * Invariants:
 * - A document name is checked on the raw request path (src/lib/wire/doc-names.ts); a refused
 *   name gets an HTTP 400 and never reaches storage.
 * - Connections per IP count the socket's remote address, or with `trustProxy` the last
 *   X-Forwarded-For hop (the address the proxy itself saw; earlier hops are client-supplied).
 * - Token and matrix failures complete the upgrade and close at once with 4401/4403, so the
 *   browser learns why; no document is loaded or created for them.
 * - A socket that has not finished its upgrade (or its first HTTP request) within the auth
 *   deadline is destroyed (`Deadlines`).
 * - The token check is synchronous but in cluster mode for a token whose member the relay's
 *   mirror lacks or holds at an older `ver`: that member is re-read first (`reread`), and an
 *   upgrade whose socket closed meanwhile goes no further.
 */
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { accessFor, CLOSE, parseDocName, type DocNameError } from '../src/lib/wire/index.ts';
import type { RelayConfig } from './config.ts';
import {
	authenticateLagging,
	type AuthResult,
	type MemberDirectory,
	type MemberReread
} from './identity.ts';
import type { KeyRing } from './tokens.ts';

// Not an ESM import of node:http: see server.ts.
const { STATUS_CODES } = process.getBuiltinModule('node:http');

export type SyncTarget =
	{ ok: true; docName: string } | { ok: false; reason: DocNameError | 'not-sync' };

/** Reads `token` from the raw query string of an upgrade URL. */
export function tokenFromUrl(rawUrl: string): string | null {
	const start = rawUrl.indexOf('?');
	if (start === -1) return null;
	const end = rawUrl.indexOf('#', start);
	const query = rawUrl.slice(start + 1, end === -1 ? undefined : end);
	if (query.length > 16_384) return null;
	try {
		return new URLSearchParams(query).get('token');
	} catch {
		return null;
	}
}

/** Reads the document name from a raw upgrade URL; the query string is ignored. */
export function parseSyncTarget(rawUrl: string): SyncTarget {
	const end = rawUrl.search(/[?#]/);
	const rawPath = end === -1 ? rawUrl : rawUrl.slice(0, end);
	if (!rawPath.startsWith('/sync/')) return { ok: false, reason: 'not-sync' };
	const name = rawPath.slice('/sync/'.length);
	const parsed = parseDocName(name);
	return parsed.ok ? { ok: true, docName: name } : { ok: false, reason: parsed.reason };
}

/** The client address for per-IP limits: with `trustProxy`, the last X-Forwarded-For hop. */
export function clientAddress(req: http.IncomingMessage, trustProxy: boolean): string {
	const remote = req.socket.remoteAddress ?? 'unknown';
	if (!trustProxy) return remote;
	const header = req.headers['x-forwarded-for'];
	const value = Array.isArray(header) ? header.join(',') : header;
	const last = value
		?.split(',')
		.map((hop) => hop.trim())
		.filter((hop) => hop !== '')
		.at(-1);
	return last !== undefined && net.isIP(last) !== 0 ? last : remote;
}

/** Answers an upgrade request with a plain HTTP refusal and ends the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
	const body = `${text}\n`;
	socket.end(
		`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
			'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
	);
}

/**
 * Whether a Host header names the machine by address (an IPv4 or IPv6 literal) or `localhost`:
 * the hosts DNS rebinding cannot forge, since no attacker-controlled name resolves to them.
 */
export function isAddressHost(host: string): boolean {
	if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) return false;
	let hostname: string;
	try {
		hostname = new URL(`http://${host}`).hostname;
	} catch {
		return false;
	}
	if (hostname === 'localhost') return true;
	const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
	return net.isIP(bare) !== 0;
}

/**
 * Whether a WebSocket upgrade's Origin may open a socket (a browser always sends one; other
 * clients need none).
 * - With PUBLIC_URL: only PUBLIC_URL and ALLOWED_ORIGINS. The Host header is never trusted: a
 *   page on a rebound name (evil.example → this relay) sends Origin and Host alike.
 * - Without it (a relay on a laptop serving phones on the local network): ALLOWED_ORIGINS, or an
 *   Origin equal to `http(s)://<Host>` when that Host is an IP literal or localhost.
 */
export function originAllowed(
	req: http.IncomingMessage,
	config: Pick<RelayConfig, 'allowedOrigins' | 'publicUrl'>
): boolean {
	const origin = req.headers.origin;
	if (origin === undefined) return true;
	if (config.allowedOrigins.includes(origin) || origin === config.publicUrl) return true;
	if (config.publicUrl !== null) return false;
	const host = req.headers.host;
	if (host === undefined || !isAddressHost(host)) return false;
	return origin === `http://${host}` || origin === `https://${host}`;
}

/** Sockets that have not yet finished an upgrade or sent a complete HTTP request. */
export class Deadlines {
	readonly #timers = new Map<Duplex, NodeJS.Timeout>();
	readonly #ms: number;

	constructor(ms: number) {
		this.#ms = ms;
	}

	/** Destroys `socket` unless `clear` is called within the deadline. */
	start(socket: Duplex): void {
		const timer = setTimeout(() => {
			this.#timers.delete(socket);
			socket.destroy();
		}, this.#ms);
		timer.unref();
		this.#timers.set(socket, timer);
		socket.once('close', () => this.clear(socket));
	}

	clear(socket: Duplex): void {
		const timer = this.#timers.get(socket);
		if (timer) clearTimeout(timer);
		this.#timers.delete(socket);
	}
}

export type Admitted = {
	ws: WebSocket;
	docName: string;
	auth: Extract<AuthResult, { ok: true }>;
	access: 'read' | 'write';
};

export type AdmissionOptions = {
	config: Pick<RelayConfig, 'allowedOrigins' | 'publicUrl' | 'trustProxy' | 'maxConnectionsPerIp'>;
	identity: MemberDirectory;
	/** Cluster mode: re-reads a member the directory may hold an old version of. */
	reread?: MemberReread;
	keys: KeyRing;
	clockSkewSeconds: number;
	wss: WebSocketServer;
	deadlines: Deadlines;
	/** True once the relay is shutting down: upgrades get 503. */
	closing(): boolean;
	onAdmitted(admitted: Admitted): void;
	log(event: Record<string, unknown>): void;
};

export type AdmissionGate = {
	/** The `upgrade` listener of the relay's HTTP server. */
	upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
	/** Upgrades refused or closed for name, Origin, rate, token or matrix reasons. */
	readonly refused: number;
};

export function createAdmissionGate(options: AdmissionOptions): AdmissionGate {
	const { config, identity, keys, clockSkewSeconds, wss, deadlines, log } = options;
	const perIp = new Map<string, number>();
	let refused = 0;

	const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
		socket.on('error', () => socket.destroy());
		if (options.closing()) {
			refuseUpgrade(socket, 503, 'Relay shutting down');
			return;
		}
		const rawUrl = req.url ?? '';
		const target = parseSyncTarget(rawUrl);
		if (!target.ok) {
			refused++;
			if (target.reason === 'not-sync') refuseUpgrade(socket, 404, 'Not found');
			else refuseUpgrade(socket, 400, `Bad document name: ${target.reason}`);
			return;
		}
		if (!originAllowed(req, config)) {
			refused++;
			refuseUpgrade(socket, 403, 'Origin not allowed');
			return;
		}
		const ip = clientAddress(req, config.trustProxy);
		const open = perIp.get(ip) ?? 0;
		if (open >= config.maxConnectionsPerIp) {
			refused++;
			refuseUpgrade(socket, 429, 'Too many connections from this address');
			return;
		}
		perIp.set(ip, open + 1);
		socket.once('close', () => {
			const left = (perIp.get(ip) ?? 1) - 1;
			if (left <= 0) perIp.delete(ip);
			else perIp.set(ip, left);
		});
		// Token and matrix: decided here, before any storage call; told after the upgrade.
		let checked: AuthResult | Promise<AuthResult>;
		try {
			checked = authenticateLagging(
				identity,
				keys,
				tokenFromUrl(rawUrl),
				options.reread,
				Date.now(),
				clockSkewSeconds
			);
		} catch (error) {
			unavailable(socket, error);
			return;
		}
		if (!(checked instanceof Promise)) {
			admit(req, socket, head, target.docName, checked);
			return;
		}
		checked.then(
			(auth) => {
				if (!socket.destroyed) admit(req, socket, head, target.docName, auth);
			},
			(error: unknown) => {
				if (!socket.destroyed) unavailable(socket, error);
			}
		);
	};

	const unavailable = (socket: Duplex, error: unknown): void => {
		log({ event: 'storage-error', op: 'identity', error: String(error) });
		refuseUpgrade(socket, 503, 'Relay unavailable');
	};

	const admit = (
		req: http.IncomingMessage,
		socket: Duplex,
		head: Buffer,
		docName: string,
		auth: AuthResult
	): void => {
		let denial: { code: number; reason: string } | null = auth.ok
			? null
			: { code: auth.code, reason: auth.reason };
		let access: 'read' | 'write' | 'none' = 'none';
		if (auth.ok) {
			access = accessFor(auth.claims, docName);
			if (access === 'none') denial = { code: CLOSE.forbidden, reason: 'forbidden' };
		}
		wss.handleUpgrade(req, socket, head, (ws) => {
			deadlines.clear(socket);
			if (denial || !auth.ok || access === 'none') {
				refused++;
				ws.on('error', () => {});
				ws.close(denial?.code ?? CLOSE.forbidden, denial?.reason ?? 'forbidden');
				return;
			}
			options.onAdmitted({ ws, docName, auth, access });
		});
	};

	return {
		upgrade,
		get refused() {
			return refused;
		}
	};
}
