/**
 * The page: an API key and a collection at the top, then enrolment,
 * identification, the users of the collection and a snapshot of it.
 */
import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { Enrol } from './enrol';
import { describeError, describeResult } from './errors';
import { graphql } from './gql';
import type { CollectionRef } from './gql/graphql';
import { Identify } from './identify';
import { Snapshot } from './snapshot';
import { Users } from './users';

const CreateCollection = graphql(`
  mutation CreateCollection($collection: CollectionRef!) {
    createCollection(input: { collection: $collection }) {
      __typename
      ... on CreateCollectionSuccess {
        collection {
          id
          collectionId
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export function App({ useApiKey }: { useApiKey: (key: string) => Promise<void> }) {
  const [collection, setCollection] = useState<CollectionRef>({ provider: 'local', collectionId: 'demo' });
  return (
    <>
      <h1>facegate · React</h1>
      <header className="settings">
        <ApiKeyForm useApiKey={useApiKey} />
        <CollectionForm collection={collection} onChange={setCollection} />
      </header>
      {/* Keyed by the collection: another collection starts each part afresh. */}
      <main key={`${collection.provider}/${collection.collectionId}`}>
        <Enrol collection={collection} />
        <Identify collection={collection} />
        <Users collection={collection} />
        <Snapshot collection={collection} />
      </main>
    </>
  );
}

/** The key is sent from "Use key" on: as x-api-key over HTTP and as connectionParams.apiKey over WebSocket. */
function ApiKeyForm({ useApiKey }: { useApiKey: (key: string) => Promise<void> }) {
  const [status, setStatus] = useState('No key: anonymous');
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = String(new FormData(event.currentTarget).get('apiKey') ?? '').trim();
    await useApiKey(key).catch(() => undefined); // the queries on screen show their own errors
    setStatus(key ? `Key set (${key.length} characters)` : 'No key: anonymous');
  }
  return (
    <form onSubmit={submit} aria-label="API key">
      <label>
        API key <input name="apiKey" type="password" autoComplete="off" />
      </label>
      <button type="submit">Use key</button>
      <span className="status" role="status">
        {status}
      </span>
    </form>
  );
}

function CollectionForm({ collection, onChange }: { collection: CollectionRef; onChange: (c: CollectionRef) => void }) {
  const [status, setStatus] = useState('');
  const [create] = useMutation(CreateCollection);
  const read = (form: HTMLFormElement): CollectionRef => {
    const fields = new FormData(form);
    return { provider: String(fields.get('provider')), collectionId: String(fields.get('collectionId')) };
  };
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const ref = read(event.currentTarget);
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    if (submitter?.value === 'create') {
      try {
        const { data } = await create({ variables: { collection: ref } });
        const result = data!.createCollection;
        // CollectionAlreadyExists carries code and message because the cache has possibleTypes.
        setStatus(result.__typename === 'CreateCollectionSuccess' ? `Created ${ref.collectionId}` : describeResult(result));
      } catch (e) {
        setStatus(describeError(e));
        return;
      }
    } else setStatus('');
    onChange(ref);
  }
  return (
    <form onSubmit={submit} aria-label="Collection">
      <label>
        Provider <input name="provider" defaultValue={collection.provider} required size={8} />
      </label>
      <label>
        Collection <input name="collectionId" defaultValue={collection.collectionId} required size={14} />
      </label>
      <button type="submit" value="open">
        Open
      </button>
      <button type="submit" value="create">
        Create
      </button>
      <span className="status" role="status" aria-label="Collection status">
        {status}
      </span>
    </form>
  );
}
