/**
 * The relay's HTTP routes, by path:
 *
 *   /api/communities/:cid/blobs/…   photos (blobs.ts)
 *   /api/communities/:cid/basemap   the community's offline basemap (basemap/serve.ts)
 *   /api/communities/:cid/history/… a document as it was (history.ts)
 *   /api/communities/:cid/notices…, …/notice-phone   public notice boards (notices/routes.ts)
 *   /api, /api/…                     the identity API (api.ts)
 *   /health                          JSON figures; 503 once a storage sync failed, or
 *                                    (cluster mode) while Redis or PostgreSQL is down
 *   /sync/…                          426: WebSocket upgrades only (admission.ts)
 *   /n/…                             a published notice, the one page served without a token
 *   anything else                    the built app (static-files.ts)
 *
 * Invariant: routing reads the raw path (before any decoding); each route checks its own input.
 */
import type http from 'node:http';
import { isBasemapPath } from './basemap/serve.ts';
import { isBlobPath } from './blobs.ts';
import { isHistoryPath } from './history.ts';
import { isNoticeApiPath, isNoticePagePath } from './notices/routes.ts';
import { sendText } from './static-files.ts';

export const RELAY_VERSION = '0.1.0';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, rawPath: string) => void;

/** Cluster mode: each shared store as the relay last saw it. */
export type StorageStatus = { redis: 'up' | 'down'; postgres: 'up' | 'down' };

export type HealthFigures = {
	uptimeSeconds: number;
	docsLoaded: number;
	connections: number;
	storageBroken: boolean;
	storage?: StorageStatus;
};

export type HttpRoutes = {
	blobs: Handler;
	basemap: Handler;
	history: Handler;
	notices: Handler;
	noticePage: Handler;
	api: Handler;
	files: Handler;
	health(): HealthFigures;
};

/** The raw path of a request URL: everything before `?` or `#`. */
export function rawPathOf(rawUrl: string): string {
	const end = rawUrl.search(/[?#]/);
	return end === -1 ? rawUrl : rawUrl.slice(0, end);
}

export function createHttpRoutes(routes: HttpRoutes): Handler {
	const health = (res: http.ServerResponse): void => {
		const { uptimeSeconds, docsLoaded, connections, storageBroken, storage } = routes.health();
		const ok = !storageBroken && !Object.values(storage ?? {}).includes('down');
		res.writeHead(ok ? 200 : 503, {
			'Content-Type': 'application/json',
			'Cache-Control': 'no-store'
		});
		res.end(
			JSON.stringify({
				ok,
				uptimeSeconds,
				docsLoaded,
				connections,
				...(storage ? { storage } : {}),
				version: RELAY_VERSION
			})
		);
	};

	return (req, res, rawPath) => {
		if (isBlobPath(rawPath)) routes.blobs(req, res, rawPath);
		else if (isBasemapPath(rawPath)) routes.basemap(req, res, rawPath);
		else if (isHistoryPath(rawPath)) routes.history(req, res, rawPath);
		else if (isNoticeApiPath(rawPath)) routes.notices(req, res, rawPath);
		else if (isNoticePagePath(rawPath)) routes.noticePage(req, res, rawPath);
		else if (rawPath === '/api' || rawPath.startsWith('/api/')) routes.api(req, res, rawPath);
		else if (rawPath === '/health') health(res);
		else if (rawPath.startsWith('/sync/')) sendText(res, 426, 'WebSocket upgrade required\n');
		else routes.files(req, res, rawPath);
	};
}
