/**
 * Device ordinals: a history names a device the way people recognise it, "their phone", "their
 * second phone", never by its id. Each person's devices are numbered 1, 2, 3… in the order they
 * first appear in the history (entries in reading order, oldest first), so the numbers are the
 * same on every replica and stay put as the history grows.
 */

export type DeviceStamp = Readonly<{ by: string; deviceId: string }>;

export type DeviceOrdinals = (stamp: DeviceStamp) => number;

/** `entries` oldest first; a device not in them (or with no id) is 0. */
export function deviceOrdinals(entries: readonly DeviceStamp[]): DeviceOrdinals {
	const byPerson = new Map<string, Map<string, number>>();
	for (const { by, deviceId } of entries) {
		if (deviceId === '') continue;
		let devices = byPerson.get(by);
		if (!devices) byPerson.set(by, (devices = new Map()));
		if (!devices.has(deviceId)) devices.set(deviceId, devices.size + 1);
	}
	return ({ by, deviceId }) => byPerson.get(by)?.get(deviceId) ?? 0;
}
