/**
 * A synthetic but realistic extract of a 2 km² community (a street grid, about 300 building
 * footprints, a river with its water area, parks and residential land use), laid out like
 * OpenStreetMap's GeoJSON exports, around Yucheng-like coordinates (116.64, 36.93). For tests, the
 * end-to-end download spec and the size figure in docs/benchmarks.md ("Basemap").
 *
 *   node --experimental-strip-types sync-server/basemap/fixture.ts out.geojson
 *
 * Invariant: deterministic (a seeded generator): the same call gives the same bytes.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

type Position = [number, number];
type GeoFeature = {
	type: 'Feature';
	properties: Record<string, string>;
	geometry: { type: string; coordinates: unknown };
};

/** A small seeded generator (mulberry32). */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ROAD_NAMES = ['振兴街', '民生路', '汉槐街', '行政街', '新华路', '文化路', '人民路', '建设街'];

/** The extract: `areaKm2` square kilometres centred on (lng, lat). */
export function syntheticExtract(
	options: { lng?: number; lat?: number; areaKm2?: number; seed?: number } = {}
): { type: 'FeatureCollection'; features: GeoFeature[] } {
	const lng0 = options.lng ?? 116.64;
	const lat0 = options.lat ?? 36.93;
	const side = Math.sqrt(options.areaKm2 ?? 2) * 1000; // metres
	const random = seeded(options.seed ?? 17);
	const mPerLat = 111_320;
	const mPerLng = 111_320 * Math.cos((lat0 * Math.PI) / 180);
	const west = lng0 - side / 2 / mPerLng;
	const south = lat0 - side / 2 / mPerLat;
	/** A position `x`, `y` metres east and north of the south-west corner, to 7 decimals. */
	const at = (x: number, y: number): Position => [
		Math.round((west + x / mPerLng) * 1e7) / 1e7,
		Math.round((south + y / mPerLat) * 1e7) / 1e7
	];
	const rect = (x: number, y: number, w: number, h: number): Position[] => [
		at(x, y),
		at(x + w, y),
		at(x + w, y + h),
		at(x, y + h),
		at(x, y)
	];
	const features: GeoFeature[] = [];
	const spacing = 160;
	const lines = Math.floor(side / spacing);
	// Streets: a grid, main roads every third line.
	for (let i = 0; i <= lines; i++) {
		const major = i % 3 === 0;
		const highway = major ? 'secondary' : 'residential';
		const name = ROAD_NAMES[i % ROAD_NAMES.length]!;
		features.push({
			type: 'Feature',
			properties: { highway, name: `${name}${i < lines / 2 ? '东' : '西'}段` },
			geometry: { type: 'LineString', coordinates: [at(i * spacing, 0), at(i * spacing, side)] }
		});
		features.push({
			type: 'Feature',
			properties: { highway, name: `${ROAD_NAMES[(i + 3) % ROAD_NAMES.length]}` },
			geometry: { type: 'LineString', coordinates: [at(0, i * spacing), at(side, i * spacing)] }
		});
	}
	// A river across the south, wavy, with its water area.
	const riverY = side * 0.2;
	const bank: Position[] = [];
	const otherBank: Position[] = [];
	const centre: Position[] = [];
	for (let s = 0; s <= 40; s++) {
		const x = (side * s) / 40;
		const y = riverY + 30 * Math.sin(s / 4);
		centre.push(at(x, y));
		bank.push(at(x, y - 15));
		otherBank.push(at(x, y + 15));
	}
	features.push({
		type: 'Feature',
		properties: { waterway: 'river', name: '徒骇河' },
		geometry: { type: 'LineString', coordinates: centre }
	});
	features.push({
		type: 'Feature',
		properties: { natural: 'water', water: 'river' },
		geometry: { type: 'Polygon', coordinates: [[...bank, ...otherBank.reverse(), bank[0]!]] }
	});
	// Parks and residential land use, block by block; buildings in the residential blocks.
	let buildings = 0;
	for (let bx = 0; bx < lines; bx++) {
		for (let by = 0; by < lines; by++) {
			const x = bx * spacing + 12;
			const y = by * spacing + 12;
			const size = spacing - 24;
			const nearRiver = Math.abs(by * spacing + spacing / 2 - riverY) < spacing / 2;
			if (nearRiver || (bx + by * 3) % 11 === 0) {
				features.push({
					type: 'Feature',
					properties: { leisure: 'park', name: nearRiver ? '河滨公园' : '街心公园' },
					geometry: { type: 'Polygon', coordinates: [rect(x, y, size, size)] }
				});
				continue;
			}
			features.push({
				type: 'Feature',
				properties: { landuse: 'residential' },
				geometry: { type: 'Polygon', coordinates: [rect(x, y, size, size)] }
			});
			// Six slab blocks of flats per residential block, a little jitter each.
			for (let row = 0; row < 3; row++) {
				for (let col = 0; col < 2; col++) {
					const w = 50 + random() * 8;
					const h = 14 + random() * 4;
					features.push({
						type: 'Feature',
						properties: {
							building: 'apartments',
							name: `${bx + 1}-${by + 1}-${row * 2 + col + 1}号楼`
						},
						geometry: {
							type: 'Polygon',
							coordinates: [rect(x + 6 + col * 66, y + 10 + row * 40, w, h)]
						}
					});
					buildings++;
				}
			}
		}
	}
	// A few named places.
	features.push({
		type: 'Feature',
		properties: { amenity: 'community_centre', name: '社区服务中心' },
		geometry: { type: 'Point', coordinates: at(side / 2, side / 2) }
	});
	features.push({
		type: 'Feature',
		properties: { place: 'neighbourhood', name: '汉槐社区' },
		geometry: { type: 'Point', coordinates: at(side * 0.3, side * 0.7) }
	});
	if (buildings === 0) throw new Error('fixture has no buildings');
	return { type: 'FeatureCollection', features };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const out = process.argv[2];
	if (!out) {
		console.error('usage: fixture.ts <out.geojson>');
		process.exit(2);
	}
	fs.writeFileSync(out, JSON.stringify(syntheticExtract()));
	console.log(`wrote ${out}`);
}
