/**
 * Test helper: polls a condition instead of sleeping for a fixed time.
 *
 * Invariant: resolves as soon as `condition()` is truthy; rejects with `label` after `timeoutMs`.
 */
export async function waitFor(
	condition: () => boolean,
	label = 'condition',
	timeoutMs = 10_000,
	intervalMs = 10
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}
