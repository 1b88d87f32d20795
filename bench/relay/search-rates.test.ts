/**
 * The W2 rate search: doubling, then halving the gap between the highest passing and the
 * lowest failing rate. A fake step stands in for the clients: it passes up to a capacity.
 */
import { describe, expect, it } from 'vitest';
import { searchRates, type StepOutcome, type WindowResult } from './workloads.ts';

function stepsUpTo(capacity: number) {
	const tried: number[] = [];
	const tryRate = async (rate: number): Promise<StepOutcome> => {
		tried.push(rate);
		const step = { ratePerWriter: rate, deliveriesPerSec: rate * 100 } as WindowResult;
		return { step, failure: rate > capacity ? `p99 over the limit at ${rate}/s` : null };
	};
	return { tried, tryRate };
}

describe('searchRates', () => {
	it('doubles until a rate fails, then halves the gap to the highest passing rate', async () => {
		const { tried, tryRate } = stepsUpTo(1000);
		const r = await searchRates(tryRate, { startRate: 10, maxRate: 2560, refineSteps: 2 });
		expect(tried).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 960, 1120]);
		expect(r.best?.ratePerWriter).toBe(960);
		expect(r.best?.deliveriesPerSec).toBe(96_000);
		expect(r.stoppedBecause).toBe('p99 over the limit at 1120/s');
		expect(r.steps.map((s) => s.ratePerWriter)).toEqual(tried);
	});

	it('without refinement a server a little faster than a doubling step looks no faster', async () => {
		const coarse = await searchRates(stepsUpTo(1000).tryRate, {
			startRate: 10,
			maxRate: 2560,
			refineSteps: 0
		});
		expect(coarse.best?.ratePerWriter).toBe(640);
	});

	it('stops at maxRate when every rate passes, with nothing to refine', async () => {
		const { tried, tryRate } = stepsUpTo(Infinity);
		const r = await searchRates(tryRate, { startRate: 20, maxRate: 80, refineSteps: 3 });
		expect(tried).toEqual([20, 40, 80]);
		expect(r.best?.ratePerWriter).toBe(80);
		expect(r.stoppedBecause).toBe('reached 80 updates/s per writer');
	});

	it('reports no best rate when the first rate already fails, and does not refine below it', async () => {
		const { tried, tryRate } = stepsUpTo(5);
		const r = await searchRates(tryRate, { startRate: 10, maxRate: 2560, refineSteps: 2 });
		expect(tried).toEqual([10]);
		expect(r.best).toBeNull();
		expect(r.stoppedBecause).toBe('p99 over the limit at 10/s');
	});
});
