/**
 * Access probes (issue 18): a household register the secretary has filled is never received by a
 * volunteer, an observer or a member of another grid, while the grid's own member receives it.
 * The REAL relay on port 0, real members (joined by invite, with their own tokens), STOCK
 * y-websocket clients; the secretary writes through the app's own commands, which the relay's
 * write rules check (src/lib/wire/write-rules-households.ts). A raw socket per refused member
 * shows what the relay sends them: no frame at all, only the close 4403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { idCheckCharacter } from '../../src/lib/domain/household';
import {
	createHousehold,
	readHousehold,
	recordVisit,
	type HouseholdContext
} from '../../src/lib/model/household';
import {
	connectClient,
	demoCommunity,
	RawClient,
	removeDir,
	startTestRelay,
	waitFor,
	type Member,
	type TestClient,
	type TestRelay
} from '../../sync-server/test-helpers';

let r: TestRelay;
const clients: TestClient[] = [];
const sockets: RawClient[] = [];
const members = {} as Record<'secretary' | 'g1' | 'g2' | 'volunteer' | 'observer', Member>;
const DOC = 'c/demo/households/g1';

function open(token: string): TestClient {
	const client = connectClient(r.wsUrl, DOC, undefined, token);
	clients.push(client);
	return client;
}

const first17 = '11010519450312123';
const ID_NUMBER = `${first17}${idCheckCharacter(first17)}`;

beforeAll(async () => {
	r = await startTestRelay();
	const demo = await demoCommunity(r);
	members.secretary = demo.secretary;
	members.g1 = await demo.join('grid-member', ['g1'], '王网格员', 'phone-wang');
	members.g2 = await demo.join('grid-member', ['g2'], '周网格员', 'phone-zhou');
	members.volunteer = await demo.join('volunteer', [], '赵志愿者', 'phone-zhao');
	members.observer = await demo.join('observer', [], '街道', 'phone-street');

	// The secretary fills the register through the app's commands, on a stock client.
	const li = open(members.secretary.token);
	await waitFor(() => li.provider.synced, 5000, 'secretary synced');
	const context: HouseholdContext = {
		actor: { name: members.secretary.name, deviceId: 'phone-li' },
		authority: {
			claims: { cid: 'demo', role: 'secretary', grids: [] },
			memberId: members.secretary.memberId,
			gridId: 'g1'
		},
		at: Date.now()
	};
	const input = {
		address: { compound: '幸福里', building: '3号楼', unit: '2单元', room: '301室' },
		colour: 'red',
		colourReason: '独居老人',
		note: '',
		residents: [
			{
				name: '张桂兰',
				relation: 'head',
				phone: '13812345678',
				idNumber: ID_NUMBER,
				birthYear: 1945,
				tags: ['elderlyAlone'],
				note: ''
			}
		]
	} as const;
	const id = createHousehold(li.doc, input, context);
	if (!id.ok) throw new Error(id.reason);
	const visit = recordVisit(
		li.doc,
		id.value,
		{ visitedAt: Date.now(), visitors: [], findings: '身体尚可', photos: [] },
		context
	);
	if (!visit.ok) throw new Error(visit.reason);
});

afterAll(async () => {
	for (const client of clients.splice(0)) client.destroy();
	for (const socket of sockets.splice(0)) socket.ws.terminate();
	await r.relay.close();
	removeDir(r.dataDir);
});

describe('the household register through the real relay', () => {
	it('reaches the grid’s own member', async () => {
		const wang = open(members.g1.token);
		await waitFor(
			() => wang.doc.getMap('households').size === 1,
			5000,
			'the grid member receives the register'
		);
		const [id] = [...wang.doc.getMap('households').keys()];
		await waitFor(() => readHousehold(wang.doc, id!)?.visits.length === 1, 5000, 'the visit');
		const household = readHousehold(wang.doc, id!)!;
		expect(household.residents[0]!.fields.idNumber.value).toBe(ID_NUMBER);
		expect(household.colour).toBe('red');
	});

	it.each(['volunteer', 'observer', 'g2'] as const)(
		'never reaches a %s: the connection is refused with nothing sent',
		async (who) => {
			const token = members[who].token;
			// A stock client: refused for good (a 44xx close is permanent to y-websocket), it
			// never syncs and its document stays empty.
			const stock = open(token);
			const codes: number[] = [];
			stock.provider.on('connection-close', (event) => codes.push(event?.code ?? -1));
			await waitFor(() => codes.length > 0, 5000, `${who} refused`);
			expect(codes).toEqual([4403]);
			expect(stock.provider.synced).toBe(false);
			expect(Y.encodeStateVector(stock.doc)).toEqual(Y.encodeStateVector(new Y.Doc()));
			expect(stock.doc.getMap('households').size).toBe(0);
			// What the relay sends such a member: no frame at all (no sync step 2), a close 4403.
			const raw = new RawClient(`${r.wsUrl}/${DOC}`, token);
			sockets.push(raw);
			expect(await raw.closed()).toBe(4403);
			expect(raw.frames).toEqual([]);
		}
	);
});
