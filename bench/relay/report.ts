/** Tables (plain text for the terminal, Markdown for docs/benchmarks.md) from a result. */
import { isOk, medianRampBest, type BenchResult, type TargetResult } from './harness.ts';
import { median, round } from './proc.ts';

type Row = string[];

const show = (value: unknown, unit = ''): string =>
	typeof value === 'number' && Number.isFinite(value) ? `${value}${unit}` : '—';

function why(value: object | undefined): string {
	if (!value) return '—';
	if ('notRun' in value) return `not run: ${(value as { notRun: string }).notRun}`;
	if ('failed' in value)
		return `FAILED: ${(value as { failed: string }).failed.split('\n')[0]?.slice(0, 160)}`;
	return '—';
}

function ratio(ours: number, peer: number, digits = 2): string {
	return Number.isFinite(ours) && Number.isFinite(peer) && peer > 0
		? `${round(ours / peer, digits)}×`
		: '—';
}

export function tables(result: BenchResult): { title: string; head: Row; rows: Row[] }[] {
	const targets = result.targets;
	const out: { title: string; head: Row; rows: Row[] }[] = [];
	const w1Count = Math.max(0, ...targets.map((t) => t.w1.length));
	for (let i = 0; i < w1Count; i++) {
		const first = targets.map((t) => t.w1[i]).find(isOk);
		const title = first
			? `W1 fan-out: ${first.shape.rooms} room(s) × ${first.shape.subscribers} subscribers, ${first.ratePerWriter} upd/s per writer (median of ${first.windows.length} windows)`
			: `W1 shape ${i + 1}`;
		out.push({
			title,
			head: [
				'server',
				'p50 ms',
				'p99 ms',
				'max ms',
				'deliveries/s',
				'not delivered',
				'server CPU %',
				'server RSS MB',
				'load CPU %'
			],
			rows: targets.map((t) => {
				const r = t.w1[i];
				if (t.notRun) return [t.label, `not run: ${t.notRun}`];
				if (!isOk(r)) return [t.label, why(r)];
				const m = r.median;
				return [
					t.label,
					show(m.p50Ms),
					show(m.p99Ms),
					show(m.maxMs),
					show(m.deliveriesPerSec),
					show(m.notDelivered),
					show(m.serverCpuPct),
					show(m.serverRssMb),
					show(m.loadCpuPct)
				];
			})
		});
	}
	const w2shape = targets.flatMap((t) => t.w2).find(isOk)?.shape;
	if (w2shape) {
		out.push({
			title: `W2 throughput ramp: ${w2shape.rooms} rooms × ${w2shape.subscribers} subscribers, rate doubled until p99 > 50 ms, then refined between the last passing and the first failing rate (median of repeats)`,
			head: [
				'server',
				'deliveries/s at p99 ≤ 50 ms',
				'repeats',
				'p99 at best',
				'server CPU % at best',
				'load CPU % at best',
				'server µs CPU/delivery',
				'server-bound estimate/s',
				'stopped because'
			],
			rows: targets.map((t) => {
				if (t.notRun) return [t.label, `not run: ${t.notRun}`];
				const ok = t.w2.filter(isOk);
				if (ok.length === 0) return [t.label, why(t.w2[0])];
				const best = medianRampBest(t);
				const pick = ok.find((r) => r.bestDeliveriesPerSec === best) ?? ok[0]!;
				const cpuPer = median(ok.map((r) => r.bestStep?.cpuUsPerDelivery ?? NaN));
				return [
					t.label,
					show(best),
					ok.map((r) => r.bestDeliveriesPerSec).join(' / '),
					show(pick.bestStep?.p99Ms),
					show(pick.bestStep?.serverCpuPct),
					show(pick.bestStep?.loadCpuPct),
					show(cpuPer),
					cpuPer > 0 ? show(round(1e6 / cpuPer, -2)) : '—',
					pick.stoppedBecause
				];
			})
		});
	}
	const w3 = targets.map((t) => t.w3).find(isOk);
	if (w3) {
		out.push({
			title: `W3 idle documents: ${w3.docs} docs × ${w3.docBytes} B, one idle client each, then all clients leave`,
			head: [
				'server',
				'heap+external KB/doc',
				'RSS KB/doc',
				'docs loaded (clients on)',
				'docs loaded after',
				'unloaded after',
				'heap after MB',
				'RSS after MB'
			],
			rows: targets
				.filter((t) => t.id !== 'raw-ws')
				.map((t) => {
					if (t.notRun) return [t.label, `not run: ${t.notRun}`];
					const r = t.w3;
					if (!isOk(r)) return [t.label, why(r)];
					return [
						t.label,
						show(r.heapPerDocKb),
						show(r.rssPerDocKb),
						show(r.docsLoadedWithClients),
						show(r.docsLoadedAfter),
						r.unloadedAfterMs === null
							? `never (waited ${round(r.waitedMs / 1000, 0)} s)`
							: `${round(r.unloadedAfterMs / 1000, 1)} s`,
						show(r.heapAfterUnloadMb),
						show(r.rssAfterUnloadMb)
					];
				})
		});
	}
	const w4 = targets.map((t) => t.w4).find(isOk);
	if (w4) {
		const floor = targets.find((t) => t.id === 'raw-ws')?.w4;
		const floorMs = isOk(floor) ? floor.median.emptyMs : NaN;
		out.push({
			title: `W4 cold load after a restart: ${round(w4.fixtureBytes / 1048576, 1)} MB document (median of ${w4.empty.length})`,
			head: [
				'server',
				'fresh joiner ms to full doc',
				'95% joiner ms to full doc',
				'× floor',
				'server CPU ms (fresh)',
				'peak RSS MB (fresh)'
			],
			rows: targets.map((t) => {
				if (t.notRun) return [t.label, `not run: ${t.notRun}`];
				const r = t.w4;
				if (!isOk(r)) return [t.label, why(r)];
				const cpu = r.empty.map((j) => j.serverCpuMs).sort((a, b) => a - b)[r.empty.length >> 1];
				const rss = r.empty.map((j) => j.peakRssMb).sort((a, b) => a - b)[r.empty.length >> 1];
				return [
					t.id === 'raw-ws' ? 'floor: read file + send (raw ws)' : t.label,
					show(r.median.emptyMs),
					t.id === 'raw-ws' ? '—' : show(r.median.partialMs),
					t.id === 'raw-ws' ? '1×' : ratio(r.median.emptyMs, floorMs),
					show(cpu),
					show(rss)
				];
			})
		});
	}
	const w5 = targets.map((t) => t.w5).find(isOk);
	if (w5) {
		out.push({
			title: `W5 reconnect storm: ${w5.clients} clients in ${w5.rooms} rooms, kill -9 while a writer writes`,
			head: [
				'server',
				'sent before kill',
				'lost of sent',
				'confirmed',
				'lost of confirmed',
				're-sync p50 ms',
				'p99 ms',
				'all ms',
				'restart: start ms',
				'held while starting',
				'open → synced p99 ms',
				'kill → all ms',
				'server CPU ms',
				'peak RSS MB'
			],
			rows: targets
				.filter((t) => t.id !== 'raw-ws')
				.map((t) => {
					if (t.notRun) return [t.label, `not run: ${t.notRun}`];
					const r = t.w5;
					if (!isOk(r)) return [t.label, why(r)];
					return [
						t.label,
						show(r.writtenBeforeKill),
						show(r.lostOfSent),
						r.confirmedBeforeKill === null ? 'no confirmations' : show(r.confirmedBeforeKill),
						r.lostOfConfirmed === null ? '—' : show(r.lostOfConfirmed),
						show(r.resyncP50Ms),
						show(r.resyncP99Ms),
						r.resyncAllMs === null ? `${r.notResynced} never` : show(r.resyncAllMs),
						show(r.startMs),
						r.heldAtRestart === null ? '—' : show(r.heldAtRestart),
						show(r.serveP99Ms),
						r.outageMs === null ? '—' : show(r.outageMs),
						show(r.serverCpuMs),
						show(r.peakRssMb)
					];
				})
		});
	}
	const checks = checksTable(result);
	if (checks) out.push(checks);
	return out;
}

/** Ours: server CPU per delivery with the write checks (member tokens) and without. */
export function checksTable(result: BenchResult): { title: string; head: Row; rows: Row[] } | null {
	const runs = result.targets.find((t) => t.id === 'ours')?.checks ?? [];
	const first = runs.find(isOk);
	if (runs.length === 0) return null;
	return {
		title: `Write checks (ours): board comments written as a member (checked and attested) vs with service tokens (unchecked), windows alternated, median of ${first ? first.unchecked.length : '—'} each`,
		head: [
			'fan-out',
			'µs CPU/delivery unchecked',
			'µs CPU/delivery checked',
			'cost',
			'server CPU % unchecked / checked',
			'p99 ms unchecked / checked',
			'not delivered (checked)'
		],
		rows: runs.map((r) => {
			if (!isOk(r)) return ['—', why(r)];
			const u = r.medianUnchecked;
			const c = r.medianChecked;
			return [
				`${r.shape.rooms} room(s) × ${r.shape.subscribers} subscribers, ${r.ratePerWriter} upd/s per writer`,
				show(round(u.cpuUsPerDelivery, 2)),
				show(round(c.cpuUsPerDelivery, 2)),
				`${r.costPct > 0 ? '+' : ''}${r.costPct} %`,
				`${show(round(u.serverCpuPct, 1))} / ${show(round(c.serverCpuPct, 1))}`,
				`${show(round(u.p99Ms, 1))} / ${show(round(c.p99Ms, 1))}`,
				show(c.notDelivered)
			];
		})
	};
}

/** Ratios ours/peer (medians): W2 best deliveries/s, W1 p99, W4 fresh joiner. */
export function ratios(result: BenchResult): { head: Row; rows: Row[] } {
	const ours = result.targets.find((t) => t.id === 'ours');
	const rows: Row[] = [];
	for (const peer of result.targets.filter((t) => t.id !== 'ours')) {
		const w1 = (t: TargetResult | undefined, i: number) => {
			const r = t?.w1[i];
			return isOk(r) ? r.median.p99Ms : NaN;
		};
		const w4 = (t: TargetResult | undefined) => (isOk(t?.w4) ? t.w4.median.emptyMs : NaN);
		rows.push([
			peer.label,
			ratio(medianRampBest(ours), medianRampBest(peer)),
			ratio(w1(ours, 0), w1(peer, 0)),
			ratio(w1(ours, 1), w1(peer, 1)),
			ratio(w4(ours), w4(peer))
		]);
	}
	return {
		head: [
			'ours / …',
			'W2 deliveries/s (higher is better)',
			'W1 p99, shape 1 (lower is better)',
			'W1 p99, shape 2',
			'W4 fresh joiner time (lower is better)'
		],
		rows
	};
}

export function textTable(head: Row, rows: Row[]): string {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (r: Row) =>
		r
			.map((c, i) => (c ?? '').padEnd(widths[i] ?? 0))
			.join('  ')
			.trimEnd();
	return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(head: Row, rows: Row[]): string {
	const cell = (c: string | undefined) => (c ?? '').replace(/\|/g, '\\|');
	const width = head.length;
	const pad = (r: Row) => [...r, ...Array<string>(Math.max(0, width - r.length)).fill('')];
	return [
		`| ${head.map(cell).join(' | ')} |`,
		`| ${head.map(() => '---').join(' | ')} |`,
		...rows.map((r) => `| ${pad(r).map(cell).join(' | ')} |`)
	].join('\n');
}

export function textReport(result: BenchResult): string {
	const parts = tables(result).map((t) => `${t.title}\n${textTable(t.head, t.rows)}`);
	const r = ratios(result);
	parts.push(`Ratios ours/peer\n${textTable(r.head, r.rows)}`);
	parts.push(
		`Targets for our relay\n${textTable(
			['target', 'met', 'detail'],
			result.checks.map((c) => [c.target, c.met === null ? 'n/a' : c.met ? 'yes' : 'NO', c.detail])
		)}`
	);
	return parts.join('\n\n');
}

/** The write-checks run alone (`--checks`), for its own block of docs/benchmarks.md. */
export function checksMarkdown(result: BenchResult): string {
	const m = result.machine;
	const table = checksTable(result);
	return [
		`Run of ${result.startedAt} (${Math.round(result.durationS)} s): ${m.nproc} cores (${m.cpu}), Node ${m.node}; ${m.pinned ? 'server pinned to core 0, load generator to core 1' : 'NOT pinned'}. Load average before ${m.loadBefore.join(' / ')}, after ${m.loadAfter.join(' / ')}.`,
		'',
		...(table ? [`#### ${table.title}`, '', markdownTable(table.head, table.rows), ''] : []),
		...result.checks
			.filter((c) => c.target.startsWith('write checks'))
			.map(
				(c) =>
					`Target: ${c.target}: ${c.met === null ? 'n/a' : c.met ? 'met' : '**not met**'} (${c.detail}).`
			),
		''
	].join('\n');
}

export function markdownReport(result: BenchResult): string {
	const m = result.machine;
	const busy = Math.max(...m.loadBefore, ...m.loadAfter) > 0.5;
	const lines = [
		`Run of ${result.startedAt} (profile \`${result.profile}\`, ${Math.round(result.durationS / 60)} min): ${m.nproc} cores (${m.cpu}), ${m.memGb} GiB, Node ${m.node}; servers ${m.pinned ? 'pinned to core 0 and the load generator to core 1 with `taskset`' : 'NOT pinned (taskset unavailable)'}. Load average before ${m.loadBefore.join(' / ')}, after ${m.loadAfter.join(' / ')}${busy ? ' — the machine was shared with other work while this ran, so timings are noisy.' : '.'}`,
		''
	];
	for (const t of tables(result))
		lines.push(`#### ${t.title}`, '', markdownTable(t.head, t.rows), '');
	const r = ratios(result);
	lines.push('#### Ratios ours/peer (medians)', '', markdownTable(r.head, r.rows), '');
	lines.push(
		'#### Targets for our relay',
		'',
		markdownTable(
			['target', 'met', 'detail'],
			result.checks.map((c) => [
				c.target,
				c.met === null ? 'n/a' : c.met ? 'yes' : '**no**',
				c.detail
			])
		),
		''
	);
	return lines.join('\n');
}
