/** Mounts the example: one Apollo Client for the page, the key set from the API key field. */
import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createGateway } from './gateway';

const gateway = createGateway();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={gateway.client}>
      <App useApiKey={gateway.useApiKey} />
    </ApolloProvider>
  </StrictMode>,
);
