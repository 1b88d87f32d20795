import { describe, expect, it } from 'vitest';
import { deviceOrdinals } from './device-ordinals';

describe('deviceOrdinals', () => {
	it("numbers each person's devices in order of first appearance", () => {
		const entries = [
			{ by: '王秀英', deviceId: 'd-752mb7dqmfxr7400' },
			{ by: '李建国', deviceId: 'd-aaa' },
			{ by: '王秀英', deviceId: 'd-752mb7dqmfxr7400' },
			{ by: '王秀英', deviceId: 'd-bbb' },
			{ by: '李建国', deviceId: 'd-bbb' },
			{ by: '王秀英', deviceId: 'd-ccc' }
		];
		const ordinal = deviceOrdinals(entries);
		expect(ordinal({ by: '王秀英', deviceId: 'd-752mb7dqmfxr7400' })).toBe(1);
		expect(ordinal({ by: '王秀英', deviceId: 'd-bbb' })).toBe(2);
		expect(ordinal({ by: '王秀英', deviceId: 'd-ccc' })).toBe(3);
		// Another person's first phone is their phone, even if it is the same device id.
		expect(ordinal({ by: '李建国', deviceId: 'd-aaa' })).toBe(1);
		expect(ordinal({ by: '李建国', deviceId: 'd-bbb' })).toBe(2);
		expect(ordinal({ by: '张三', deviceId: 'd-aaa' })).toBe(0);
		expect(ordinal({ by: '王秀英', deviceId: '' })).toBe(0);
	});
});
