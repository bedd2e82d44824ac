/**
 * GraphQL spans: one per operation (an Apollo plugin), and one per resolver
 * that does asynchronous work, nested by response path (Query.collection →
 * Collection.users → …). Resolvers are wrapped in the schema itself, so this
 * holds whatever executes the schema; a field that answers synchronously
 * (a property read) is spanned once, found synchronous, and left alone.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Path } from 'graphql/jsutils/Path.js';

/** Per operation context: its span and the spans of its resolvers by response path. */
const operations = new WeakMap<object, { span: Span; fields: Map<string, Span> }>();

const pathKey = (path: Path | undefined): string => {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev) keys.push(p.key);
  return keys.reverse().join('.');
};

/** The context a resolver span starts in: the nearest ancestor field's span, else the operation's. */
function parentContext(ctx: unknown, path: Path): Context {
  const operation = ctx && typeof ctx === 'object' ? operations.get(ctx) : undefined;
  if (!operation) return context.active();
  for (let p = path.prev; p; p = p.prev) {
    const span = operation.fields.get(pathKey(p));
    if (span) return trace.setSpan(ROOT_CONTEXT, span);
  }
  return trace.setSpan(ROOT_CONTEXT, operation.span);
}

const isPromise = (v: unknown): v is Promise<unknown> => !!v && typeof (v as { then?: unknown }).then === 'function';

/** Wraps the resolvers of every object type; call once, right after the schema is built, and only when tracing is on. */
export function traceResolvers(schema: GraphQLSchema, tracer: Tracer): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, unknown>;
      let synchronous = false;
      field.resolve = (source, args, ctx, info) => {
        if (synchronous) return resolve(source, args, ctx, info);
        const span = tracer.startSpan(
          `${info.parentType.name}.${info.fieldName}`,
          { attributes: { 'graphql.field.path': pathKey(info.path) } },
          parentContext(ctx, info.path),
        );
        const result = context.with(trace.setSpan(context.active(), span), () => resolve(source, args, ctx, info));
        if (!isPromise(result)) {
          synchronous = true; // never ended, so never exported
          return result;
        }
        operations.get(ctx as object)?.fields.set(pathKey(info.path), span);
        return result.then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { message?: string }).message });
            span.end();
            throw error;
          },
        );
      };
    }
  }
}

/** Opens a span per HTTP operation, named like `query Users`, ended when the response is sent. */
export function operationSpansPlugin(tracer: Tracer): ApolloServerPlugin<object> {
  return {
    async requestDidStart({ contextValue }) {
      const span = tracer.startSpan('graphql.operation');
      operations.set(contextValue, { span, fields: new Map() });
      return {
        async didResolveOperation({ operation, operationName }) {
          const type = operation?.operation ?? 'unknown';
          span.updateName(`${type} ${operationName ?? 'anonymous'}`);
          span.setAttribute('graphql.operation.type', type);
          if (operationName) span.setAttribute('graphql.operation.name', operationName);
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: String(errors[0].extensions?.code ?? 'error') });
          span.end();
          operations.delete(contextValue);
        },
      };
    },
  };
}
