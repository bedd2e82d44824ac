/**
 * facegate is a server: unless the operator sets NODE_ENV, its libraries run
 * in production mode. graphql-js otherwise runs a development-only
 * `instanceof` check on every type test of every request (~10 % of a
 * request's CPU on this gateway). Imported first by the entry point, before
 * any library reads NODE_ENV. Behaviour that Apollo would derive from
 * NODE_ENV (introspection, stack traces) is set explicitly in server.ts.
 */
process.env.NODE_ENV ??= 'production';
