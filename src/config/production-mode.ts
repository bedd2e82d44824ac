/**
 * facegate is a server: unless the operator sets NODE_ENV, its libraries run
 * in production mode. graphql-js otherwise runs a development-only
 * `instanceof` check on every type test of every request, a cost no client
 * asked for (figure in BENCHMARKS.md). Imported first by the entry point, before
 * any library reads NODE_ENV. Behaviour that Apollo would derive from
 * NODE_ENV (introspection, stack traces) is set explicitly in server.ts.
 */
process.env.NODE_ENV ??= 'production';
