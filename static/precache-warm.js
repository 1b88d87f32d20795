// Imported by the service worker (vite.config.ts, workbox.importScripts) before Workbox.
//
// Workbox's precache install fetches its ~140 files one after another; on a 400 ms link that is a
// minute before the app works offline (npm run bench:load). Hashed files (revision null in the
// precache list) are fetched by Workbox with cache mode 'default', so this install handler pulls
// them into the HTTP cache six at a time first, and Workbox finds them there. The list is read
// from this service worker's own script; if its format ever changes, nothing is warmed and
// Workbox works as before.
self.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			try {
				const source = await (await fetch(self.location.href)).text();
				const urls = [...source.matchAll(/url:"([^"]+)",revision:null/g)].map(
					(match) => new URL(match[1], self.location.href).href
				);
				let next = 0;
				const worker = async () => {
					while (next < urls.length) {
						const url = urls[next++];
						await fetch(url).then(
							(response) => response.arrayBuffer(),
							() => undefined
						);
					}
				};
				await Promise.all(Array.from({ length: 6 }, worker));
			} catch {
				// Warming is an optimisation: Workbox still precaches everything itself.
			}
		})()
	);
});
