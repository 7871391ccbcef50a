import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * Query strings, path parameters and headers arrive as text, so their schemas coerce
 * ("true" -> true, "5" -> 5). JSON bodies already carry types: coercing them would let a
 * number pass as a password or a string as a list, so bodies are validated strictly.
 */
const BASE_AJV_OPTIONS = { removeAdditional: false, allErrors: false, useDefaults: true } as const;

export function validationOptions(): Pick<FastifyServerOptions, 'ajv' | 'schemaController'> {
  const coercing = AjvCompiler();
  const strict = AjvCompiler();
  return {
    ajv: { customOptions: { ...BASE_AJV_OPTIONS, coerceTypes: 'array' } },
    schemaController: {
      compilersFactory: {
        buildValidator(externalSchemas, ajvOptions) {
          const forText = coercing(externalSchemas, ajvOptions);
          const forBody = strict(externalSchemas, {
            customOptions: { ...BASE_AJV_OPTIONS, coerceTypes: false },
          });
          return (route) => (route.httpPart === 'body' ? forBody(route) : forText(route));
        },
      },
    },
  };
}
