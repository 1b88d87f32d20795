/**
 * @y/websocket-server 0.1.1 exactly as its own `src/server.js` runs it (setupWSConnection on a
 * noServer ws server; YPERSISTENCE=<dir> turns on y-leveldb), plus what the harness needs:
 * a JSON `listening` line with the real port (PORT=0 works) and GET /bench-stats with the
 * number of documents it holds in memory (its exported `docs` map).
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { docs, setupWSConnection } from '@y/websocket-server/utils';

const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((request, response) => {
	if (request.url === '/bench-stats') {
		response.writeHead(200, { 'Content-Type': 'application/json' });
		response.end(JSON.stringify({ docsLoaded: docs.size }));
		return;
	}
	response.writeHead(200, { 'Content-Type': 'text/plain' });
	response.end('okay');
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (request, socket, head) => {
	wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	console.log(JSON.stringify({ event: 'listening', port }));
});
