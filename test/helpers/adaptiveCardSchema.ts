import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import schema from '../../cards/schema/adaptive-card-1.5.schema.json';

let validator: ValidateFunction | undefined;

/** The vendored Adaptive Card 1.5 schema (draft-06; its draft-04 style `id` is renamed `$id` for Ajv 8). */
export function validateAdaptiveCard(card: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addMetaSchema(draft06);
    const { id, ...rest } = schema as Record<string, unknown>;
    validator = ajv.compile({ $id: String(id), ...rest });
  }
  if (validator(card)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
