/** The page: take a snapshot of a collection and follow it with a live progress bar. */
import { SnapshotProgressDocument, TakeSnapshotDocument } from './generated/graphql.js';
import { request, subscribe } from './gateway.js';

const form = document.querySelector<HTMLFormElement>('#take')!;
const progress = document.querySelector<HTMLProgressElement>('#progress')!;
const status = document.querySelector<HTMLElement>('#status')!;
const events = document.querySelector<HTMLOListElement>('#events')!;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const fields = new FormData(form);
  const collection = { provider: String(fields.get('provider')), collectionId: String(fields.get('collectionId')) };
  form.querySelector('button')!.disabled = true;
  void take(collection).finally(() => (form.querySelector('button')!.disabled = false));
});

async function take(collection: { provider: string; collectionId: string }): Promise<void> {
  progress.value = 0;
  events.replaceChildren();
  status.textContent = 'Requesting…';
  try {
    const { takeSnapshot } = await request(TakeSnapshotDocument, { collection });
    if (takeSnapshot.__typename !== 'TakeSnapshotAccepted') {
      status.textContent = `${takeSnapshot.__typename}: ${takeSnapshot.message}`;
      return;
    }
    await subscribe(SnapshotProgressDocument, { operationId: takeSnapshot.operation.id }, ({ snapshotProgress: p }) => {
      progress.value = p.percent;
      const counts = `${p.processedItems}/${p.totalItems ?? '?'}`;
      status.textContent =
        p.status === 'SUCCEEDED'
          ? `SUCCEEDED: snapshot ${p.snapshot?.id} (${p.snapshot?.userCount} users, ${p.snapshot?.faceCount} faces)`
          : `${p.status} ${counts}${p.message ? `: ${p.message}` : ''}`;
      const item = document.createElement('li');
      item.textContent = `${p.status} ${p.percent.toFixed(1)}% ${counts}`;
      events.append(item);
    });
  } catch (e) {
    status.textContent = `Failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
