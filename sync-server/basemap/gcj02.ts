/**
 * GCJ-02 → WGS-84: the standard transform (the published "eviltransform" formulas, Krasovsky
 * 1940 ellipsoid) that Chinese map providers' offsets are undone with. Gridboard stores and
 * tiles WGS-84 only; a GCJ-02 extract is converted position by position before tiling
 * (`npm run admin -- basemap <cid> --extract f.geojson --from-gcj02`).
 *
 * Invariant: outside mainland China (the providers' rectangle) positions are returned as they
 * are, as GCJ-02 is WGS-84 there; inside, the inverse is found by iteration to well under 1 cm.
 */
const A = 6378245.0;
const EE = 0.006693421622965943;

function outOfChina(lng: number, lat: number): boolean {
	return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
	let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
	ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
	ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
	ret +=
		((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
	return ret;
}

function transformLng(x: number, y: number): number {
	let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
	ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
	ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
	ret +=
		((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
	return ret;
}

/** WGS-84 → GCJ-02 (what a provider's map shows for a true position). */
export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
	if (outOfChina(lng, lat)) return [lng, lat];
	let dLat = transformLat(lng - 105.0, lat - 35.0);
	let dLng = transformLng(lng - 105.0, lat - 35.0);
	const radLat = (lat / 180.0) * Math.PI;
	let magic = Math.sin(radLat);
	magic = 1 - EE * magic * magic;
	const sqrtMagic = Math.sqrt(magic);
	dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
	dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
	return [lng + dLng, lat + dLat];
}

/** GCJ-02 → WGS-84, by fixed-point iteration on the forward transform. */
export function gcj02ToWgs84(lng: number, lat: number): [number, number] {
	if (outOfChina(lng, lat)) return [lng, lat];
	let wLng = lng;
	let wLat = lat;
	for (let i = 0; i < 30; i++) {
		const [gLng, gLat] = wgs84ToGcj02(wLng, wLat);
		const dLng = gLng - lng;
		const dLat = gLat - lat;
		wLng -= dLng;
		wLat -= dLat;
		if (Math.abs(dLng) < 1e-10 && Math.abs(dLat) < 1e-10) break;
	}
	return [wLng, wLat];
}
