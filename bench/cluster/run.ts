/**
 * `npm run bench:cluster` (issue 22): runs bench/cluster/harness.ts's cases and prints a
 * Markdown report (the tables of docs/benchmarks.md's cluster section) on stdout; progress goes
 * to stderr. `--smoke` runs the tiny profile the smoke test uses.
 */
import os from 'node:os';
import {
	FAILOVER_BUDGET_MS,
	FULL,
	med,
	runClusterBench,
	SECOND_HOP_BUDGET_MS,
	SMOKE,
	type ClusterResult
} from './harness.ts';

/** The report's Markdown. */
export function clusterReport(result: ClusterResult): string {
	const lines: string[] = [];
	const out = (line = '') => lines.push(line);
	out(
		`Profile ${result.profile}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; load (uptime) ` +
			`during the cases: ${result.load.join('; ')}. Medians of the runs.`
	);
	out();
	out(
		'| relays | offered upd/s | deliveries/s | p50 ms | p99 ms | max ms | not delivered | relays µs CPU/delivery | Redis µs/update | PostgreSQL µs/update | relay RSS MB | converged |'
	);
	out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
	for (const { relays, runs } of result.fanout) {
		const m = (pick: (r: (typeof runs)[number]) => number) => med(runs, pick);
		out(
			`| ${relays} | ${m((r) => r.offeredUpdatesPerSec)} | ${m((r) => r.deliveriesPerSec)} | ${m((r) => r.p50Ms)} | ${m((r) => r.p99Ms)} | ${m((r) => r.maxMs)} | ${m((r) => r.notDelivered)} | ${m((r) => r.relayUsPerDelivery)} | ${m((r) => r.redisUsPerUpdate)} | ${m((r) => r.postgresUsPerUpdate)} | ${runs[0]?.relayRssMb.join(' / ')} | ${runs.every((r) => r.converged)} |`
		);
	}
	out();
	const hop = result.hop;
	if (hop.length > 0) {
		const same = med(hop, (r) => r.same.p99Ms);
		const other = med(hop, (r) => r.other.p99Ms);
		out('| second hop (2 relays, writer on A) | deliveries | p50 ms | p99 ms | max ms |');
		out('|---|---:|---:|---:|---:|');
		for (const [label, pick] of [
			['reader on A (one relay)', (r: (typeof hop)[number]) => r.same],
			['reader on B (second hop)', (r: (typeof hop)[number]) => r.other]
		] as const) {
			out(
				`| ${label} | ${med(hop, (r) => pick(r).deliveries)} | ${med(hop, (r) => pick(r).p50Ms)} | ${med(hop, (r) => pick(r).p99Ms)} | ${med(hop, (r) => pick(r).maxMs)} |`
			);
		}
		out();
		out(
			`Probes on the same Redis meanwhile (median of the windows): a durable append shaped like ` +
				`the relay's (MULTI of XADD + SADD, fsync) p50 ${med(hop, (r) => r.probe.appendP50Ms)} / ` +
				`p99 ${med(hop, (r) => r.probe.appendP99Ms)} ms; a pub/sub message p50 ` +
				`${med(hop, (r) => r.probe.pubsubP50Ms)} / p99 ${med(hop, (r) => r.probe.pubsubP99Ms)} ms.`
		);
		out();
		out(
			`Second hop at p99: +${(other - same).toFixed(2)} ms (target ≤ ${SECOND_HOP_BUDGET_MS} ms: ` +
				`${other - same <= SECOND_HOP_BUDGET_MS ? 'met' : 'MISSED'}); converged ${hop.every((r) => r.converged)}.`
		);
		out();
	}
	const fo = result.failover;
	if (fo.length > 0) {
		out(
			'| failover (3 relays, kill -9 of one) | clients | moved | all re-synced ms | p50 ms | not re-synced | confirmed lost | converged |'
		);
		out('|---|---:|---:|---:|---:|---:|---:|---|');
		fo.forEach((r, i) =>
			out(
				`| run ${i + 1} | ${r.clients} | ${r.moved} | ${r.resyncedMs} | ${r.p50Ms} | ${r.notResynced} | ${r.lostOfConfirmed} | ${r.converged} |`
			)
		);
		const worst = med(fo, (r) => r.resyncedMs);
		out();
		out(
			`Failover, median of the runs: ${worst} ms (target ≤ ${FAILOVER_BUDGET_MS} ms: ${worst <= FAILOVER_BUDGET_MS ? 'met' : 'MISSED'}).`
		);
		out();
	}
	for (const c of result.cost) {
		out(
			`Cost: ${c.clients} idle clients on ${c.docs} documents (one relay): RSS ${c.baseRssMb} → ${c.rssMb} MB ` +
				`(${c.rssKbPerClient} KB per client), idle CPU ${c.idleCpuPctPer1000} % of a core per 1,000 clients; ` +
				`Redis RSS ${c.redisRssMb} MB, PostgreSQL (all processes) ${c.postgresRssMb} MB.`
		);
	}
	const sizing = sizingNote(result);
	if (sizing) {
		out();
		out(sizing);
	}
	return lines.join('\n');
}

/**
 * The traffic assumed for a city's busiest hour (the sizing note): each connected phone makes
 * one edit a minute (far above a day's average: a report, a comment, a status), and each edit
 * reaches 10 other phones on its document (a grid's staff and the community's dashboard).
 * Presence (stock clients renew every 15 s) is in the measured idle cost.
 */
const CITY = { phones: 10_000, editsPerPhonePerMinute: 1, readersPerEdit: 10 };
/** A relay is planned at most this busy, so renewals and a failover's reconnections fit. */
const RELAY_CORE_BUDGET = 0.5;

/** Relays, Redis and PostgreSQL per 10,000 phones, from the measured costs. */
function sizingNote(result: ClusterResult): string | null {
	const cost = result.cost[0];
	const single = result.fanout.filter((f) => f.relays === 1).at(-1);
	const spread = result.fanout
		.filter((f) => f.relays === Math.max(...result.fanout.map((x) => x.relays)))
		.at(-1);
	if (!cost || !single || !spread) return null;
	const updatesPerSec = (CITY.phones * CITY.editsPerPhonePerMinute) / 60;
	const deliveriesPerSec = updatesPerSec * CITY.readersPerEdit;
	// Deliveries mostly cross relays in a cluster: take the per-delivery cost measured spread.
	const usPerDelivery = med(spread.runs, (r) => r.relayUsPerDelivery);
	const idleCores = (cost.idleCpuPctPer1000 / 100) * (CITY.phones / 1000);
	const deliveryCores = (deliveriesPerSec * usPerDelivery) / 1e6;
	const relayCores = idleCores + deliveryCores;
	const relays = Math.max(2, Math.ceil(relayCores / RELAY_CORE_BUDGET) + 1);
	const relayRssMb = cost.baseRssMb + (CITY.phones * cost.rssKbPerClient) / 1024;
	const redisCores = (updatesPerSec * med(spread.runs, (r) => r.redisUsPerUpdate)) / 1e6;
	const postgresCores = (updatesPerSec * med(spread.runs, (r) => r.postgresUsPerUpdate)) / 1e6;
	const f = (value: number, digits = 2) => value.toFixed(digits);
	return [
		`Sizing per ${CITY.phones.toLocaleString('en')} connected phones (assumed busiest hour: ` +
			`${CITY.editsPerPhonePerMinute} edit per phone per minute, each to ${CITY.readersPerEdit} readers: ` +
			`${Math.round(updatesPerSec)} updates/s, ${Math.round(deliveriesPerSec)} deliveries/s), from this run's costs: ` +
			`relays ${f(idleCores)} core idle (${cost.idleCpuPctPer1000} % per 1,000) + ${f(deliveryCores)} core for deliveries ` +
			`(${usPerDelivery} µs each, ${spread.relays} relays) = ${f(relayCores)} core and ${Math.round(relayRssMb)} MB ` +
			`(${cost.rssKbPerClient} KB per connection) in all; at ≤ ${RELAY_CORE_BUDGET} core per relay plus one spare ` +
			`for failover: ${relays} relays. Redis ${f(redisCores, 3)} core (${med(spread.runs, (r) => r.redisUsPerUpdate)} µs ` +
			`per update); PostgreSQL ${f(postgresCores, 3)} core for the worker's folding ` +
			`(${med(spread.runs, (r) => r.postgresUsPerUpdate)} µs per update).`
	].join('');
}

if (import.meta.main) {
	// Every stock y-websocket client adds a process 'exit' listener.
	process.setMaxListeners(0);
	const profile = structuredClone(process.argv.includes('--smoke') ? SMOKE : FULL);
	// --only <fanout|hop|failover|cost>: that case alone.
	const only = process.argv[process.argv.indexOf('--only') + 1];
	if (process.argv.includes('--only')) {
		if (only !== 'fanout') profile.relays = [];
		if (only !== 'hop') profile.hop.repeats = 0;
		if (only !== 'failover') profile.failover.repeats = 0;
		if (only !== 'cost') profile.cost.repeats = 0;
	}
	const result = await runClusterBench(profile);
	console.log(clusterReport(result));
	if (process.argv.includes('--json')) console.log(JSON.stringify(result));
}
