/**
 * `npm run bench:load`'s argument parsing and summary (the browser runs themselves are not unit
 * tested: they take minutes on an emulated 400 kbit/s link).
 */
import { describe, expect, it } from 'vitest';
import {
	DEFAULTS,
	formatSummary,
	missedTargets,
	parseLoadArgs,
	stat,
	summarize,
	type NewcomerRun,
	type ReturningRun
} from './options.ts';

describe('parseLoadArgs', () => {
	it('defaults to the issue link: 400 kbit/s, 400 ms, CPU 4×, 5 runs of build/', () => {
		expect(parseLoadArgs([])).toEqual(DEFAULTS);
		expect(DEFAULTS).toMatchObject({
			runs: 5,
			build: 'build',
			downKbps: 400,
			upKbps: 400,
			latencyMs: 400,
			cpuSlowdown: 4
		});
	});

	it('reads --name value and --name=value', () => {
		expect(
			parseLoadArgs([
				'--runs',
				'3',
				'--build=/tmp/b',
				'--label',
				'main (before)',
				'--latency=150',
				'--json'
			])
		).toEqual({
			...DEFAULTS,
			runs: 3,
			build: '/tmp/b',
			label: 'main (before)',
			latencyMs: 150,
			json: true
		});
		expect(parseLoadArgs(['--down', '1600', '--up=750', '--cpu', '2'])).toMatchObject({
			downKbps: 1600,
			upKbps: 750,
			cpuSlowdown: 2
		});
	});

	it('refuses unknown arguments, missing values and bad numbers, with the usage', () => {
		expect(() => parseLoadArgs(['--fast'])).toThrow(/unknown argument --fast[\s\S]*usage/);
		expect(() => parseLoadArgs(['--runs'])).toThrow(/--runs: missing value/);
		expect(() => parseLoadArgs(['--runs', '0'])).toThrow(/positive/);
		expect(() => parseLoadArgs(['--runs', '2.5'])).toThrow(/positive/);
		expect(() => parseLoadArgs(['--latency', 'slow'])).toThrow(/positive/);
	});
});

describe('summary', () => {
	it('stat gives the median (even and odd counts), min and max', () => {
		expect(stat([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
		expect(stat([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
		expect(() => stat([])).toThrow();
	});

	const newcomer = (realContentMs: number): NewcomerRun => ({
		firstPaintMs: realContentMs - 500,
		realContentMs,
		bytesToFirstPaint: 10_240,
		bytesToRealContent: 56_320,
		interactiveMs: realContentMs + 1500,
		offlineReadyMs: 60_000,
		bytesToOfflineReady: 368_640
	});
	const returning = (realContentMs: number): ReturningRun => ({
		firstPaintMs: realContentMs - 300,
		realContentMs,
		dataShownMs: realContentMs + 400,
		bytesToFirstPaint: 0,
		bytesToRealContent: 0
	});

	it('takes medians per figure and judges the targets on real content, not first paint', () => {
		const summary = summarize(
			{ ...DEFAULTS, label: 'after' },
			[newcomer(1500), newcomer(1400), newcomer(3000)],
			[returning(1200), returning(400), returning(500)]
		);
		expect(summary.runs).toBe(3);
		expect(summary.newcomer.realContentMs).toEqual({ median: 1500, min: 1400, max: 3000 });
		expect(summary.newcomer.firstPaintMs.median).toBe(1000);
		expect(summary.returning.realContentMs.median).toBe(500);
		expect(summary.meetsTargets).toEqual({ newcomer: true, returning: true });
		const slow = summarize(DEFAULTS, [newcomer(2600)], [returning(1001)]);
		expect(slow.meetsTargets).toEqual({ newcomer: false, returning: false });
		// A boot bar painted early does not meet the target while the form comes late.
		const bootBarOnly = summarize(
			DEFAULTS,
			[{ ...newcomer(3600), firstPaintMs: 1500 }],
			[{ ...returning(1600), firstPaintMs: 300 }]
		);
		expect(bootBarOnly.meetsTargets).toEqual({ newcomer: false, returning: false });
		expect(() => summarize(DEFAULTS, [], [])).toThrow();
	});

	it('names every missed target, so the run can fail on it', () => {
		const met = summarize(DEFAULTS, [newcomer(1000)], [returning(900)]);
		expect(missedTargets(met)).toEqual([]);
		const slow = summarize(DEFAULTS, [newcomer(1000)], [returning(1420)]);
		expect(missedTargets(slow)).toEqual([
			"returning user's home heading at 1.42 s (target ≤ 1.00 s)"
		]);
	});

	it('formats seconds and kilobytes, and says when a target is missed', () => {
		const text = formatSummary(
			summarize({ ...DEFAULTS, label: 'after' }, [newcomer(2600)], [returning(480)])
		);
		expect(text).toContain(
			'after: 1 runs, 400 kbit/s down, 400 kbit/s up, 400 ms latency, CPU 4× slower'
		);
		expect(text).toMatch(/first paint {8}2\.10 s/);
		expect(text).toMatch(/join form shown {4}2\.60 s .*MISSES target/);
		expect(text).toMatch(/home heading shown 0\.48 s .*meets target/);
		expect(text).toMatch(/grids shown {8}0\.88 s/);
		expect(text).toMatch(/join form works {4}4\.10 s/);
		expect(text).toContain('bytes to first paint 10.0 KB');
		expect(text).toContain('works offline (service worker activated) 60.00 s');
		expect(text).toContain('360.0 KB (360.0 KB–360.0 KB) downloaded by then');
	});
});
