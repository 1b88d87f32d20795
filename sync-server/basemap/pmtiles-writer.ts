/**
 * A PMTiles v3 writer (the format: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md):
 * the 127-byte header, a gzip-compressed root directory, gzip-compressed JSON metadata, leaf
 * directories when the root would not fit in the first 16 KiB, then the tile data.
 *
 * Invariants: tiles are written in tile-id order (the archive is "clustered"); identical tile
 * contents are stored once (a run of consecutive ids with the same bytes is one entry with a run
 * length, a repeat elsewhere points at the first copy); the header and root directory together
 * fit in the first 16,384 bytes, so a reader needs one request to start.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

export const HEADER_BYTES = 127;
const ROOT_LIMIT = 16_384 - HEADER_BYTES;
/** The header's compression code for gzip, and its tile type for Mapbox Vector Tiles. */
const GZIP = 2;
const MVT = 1;

export type Tile = { z: number; x: number; y: number; data: Uint8Array };
export type Bounds = { west: number; south: number; east: number; north: number };

export type ArchiveInput = {
	/** Tile bytes as they go into the archive (already gzip-compressed when `tileGzip`). */
	tiles: readonly Tile[];
	tileGzip: boolean;
	minZoom: number;
	maxZoom: number;
	bounds: Bounds;
	metadata: Record<string, unknown>;
};

type Entry = { tileId: number; offset: number; length: number; runLength: number };

function writeVarint(out: number[], value: number): void {
	let v = value;
	while (v >= 0x80) {
		out.push((v % 0x80) | 0x80);
		v = Math.floor(v / 0x80);
	}
	out.push(v);
}

/** A directory as the spec lays it out (ids as deltas, then run lengths, lengths, offsets), gzipped. */
export function serializeDirectory(entries: readonly Entry[]): Buffer {
	const out: number[] = [];
	writeVarint(out, entries.length);
	let last = 0;
	for (const entry of entries) {
		writeVarint(out, entry.tileId - last);
		last = entry.tileId;
	}
	for (const entry of entries) writeVarint(out, entry.runLength);
	for (const entry of entries) writeVarint(out, entry.length);
	entries.forEach((entry, i) => {
		const previous = entries[i - 1];
		if (previous && entry.offset === previous.offset + previous.length) writeVarint(out, 0);
		else writeVarint(out, entry.offset + 1);
	});
	return gzipSync(Buffer.from(out));
}

/** Root and leaves: the root alone when it fits, else leaves of a size that makes the root fit. */
function directories(entries: readonly Entry[]): { root: Buffer; leaves: Buffer } {
	const root = serializeDirectory(entries);
	if (root.length <= ROOT_LIMIT) return { root, leaves: Buffer.alloc(0) };
	for (let leafSize = 4096; ; leafSize = Math.ceil(leafSize * 1.2)) {
		const rootEntries: Entry[] = [];
		const leafBuffers: Buffer[] = [];
		let offset = 0;
		for (let i = 0; i < entries.length; i += leafSize) {
			const leaf = serializeDirectory(entries.slice(i, i + leafSize));
			rootEntries.push({ tileId: entries[i]!.tileId, offset, length: leaf.length, runLength: 0 });
			leafBuffers.push(leaf);
			offset += leaf.length;
		}
		const rootBuffer = serializeDirectory(rootEntries);
		if (rootBuffer.length <= ROOT_LIMIT) {
			return { root: rootBuffer, leaves: Buffer.concat(leafBuffers) };
		}
	}
}

const e7 = (degrees: number): number => Math.round(degrees * 1e7);

function header(fields: {
	rootOffset: number;
	rootLength: number;
	metadataOffset: number;
	metadataLength: number;
	leavesOffset: number;
	leavesLength: number;
	dataOffset: number;
	dataLength: number;
	addressed: number;
	entries: number;
	contents: number;
	tileGzip: boolean;
	minZoom: number;
	maxZoom: number;
	bounds: Bounds;
}): Buffer {
	const b = Buffer.alloc(HEADER_BYTES);
	b.write('PMTiles', 0, 'ascii');
	b.writeUInt8(3, 7);
	const u64 = (value: number, at: number) => b.writeBigUInt64LE(BigInt(value), at);
	u64(fields.rootOffset, 8);
	u64(fields.rootLength, 16);
	u64(fields.metadataOffset, 24);
	u64(fields.metadataLength, 32);
	u64(fields.leavesOffset, 40);
	u64(fields.leavesLength, 48);
	u64(fields.dataOffset, 56);
	u64(fields.dataLength, 64);
	u64(fields.addressed, 72);
	u64(fields.entries, 80);
	u64(fields.contents, 88);
	b.writeUInt8(1, 96); // clustered
	b.writeUInt8(GZIP, 97); // directories and metadata
	b.writeUInt8(fields.tileGzip ? GZIP : 1, 98); // 1 = none
	b.writeUInt8(MVT, 99);
	b.writeUInt8(fields.minZoom, 100);
	b.writeUInt8(fields.maxZoom, 101);
	const { west, south, east, north } = fields.bounds;
	b.writeInt32LE(e7(west), 102);
	b.writeInt32LE(e7(south), 106);
	b.writeInt32LE(e7(east), 110);
	b.writeInt32LE(e7(north), 114);
	b.writeUInt8(fields.minZoom, 118); // center zoom
	b.writeInt32LE(e7((west + east) / 2), 119);
	b.writeInt32LE(e7((south + north) / 2), 123);
	return b;
}

export type Archive = { bytes: Buffer; tileCount: number; tileContents: number };

/** The whole archive in memory (a community's basemap is a few MB). */
export function writePmtiles(input: ArchiveInput): Archive {
	const sorted = input.tiles
		.map((tile) => ({ id: zxyToTileId(tile.z, tile.x, tile.y), data: tile.data }))
		.sort((a, b) => a.id - b.id);
	const entries: Entry[] = [];
	const chunks: Uint8Array[] = [];
	const byHash = new Map<string, { offset: number; length: number }>();
	let dataLength = 0;
	for (let i = 0; i < sorted.length; i++) {
		const { id, data } = sorted[i]!;
		if (i > 0 && sorted[i - 1]!.id === id) throw new Error(`tile ${id} given twice`);
		const hash = createHash('sha256').update(data).digest('hex');
		const last = entries[entries.length - 1];
		const known = byHash.get(hash);
		if (
			last &&
			known &&
			last.tileId + last.runLength === id &&
			last.offset === known.offset &&
			last.length === known.length
		) {
			last.runLength++;
			continue;
		}
		if (known) {
			entries.push({ tileId: id, offset: known.offset, length: known.length, runLength: 1 });
			continue;
		}
		const place = { offset: dataLength, length: data.length };
		byHash.set(hash, place);
		chunks.push(data);
		dataLength += data.length;
		entries.push({ tileId: id, ...place, runLength: 1 });
	}
	const { root, leaves } = directories(entries);
	const metadata = gzipSync(Buffer.from(JSON.stringify(input.metadata)));
	const rootOffset = HEADER_BYTES;
	const metadataOffset = rootOffset + root.length;
	const leavesOffset = metadataOffset + metadata.length;
	const dataOffset = leavesOffset + leaves.length;
	const head = header({
		rootOffset,
		rootLength: root.length,
		metadataOffset,
		metadataLength: metadata.length,
		leavesOffset,
		leavesLength: leaves.length,
		dataOffset,
		dataLength,
		addressed: sorted.length,
		entries: entries.length,
		contents: byHash.size,
		tileGzip: input.tileGzip,
		minZoom: input.minZoom,
		maxZoom: input.maxZoom,
		bounds: input.bounds
	});
	return {
		bytes: Buffer.concat([head, root, metadata, leaves, ...chunks]),
		tileCount: sorted.length,
		tileContents: byHash.size
	};
}
