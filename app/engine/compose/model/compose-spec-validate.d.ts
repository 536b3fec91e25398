// Types of the generated compose-spec-validate.js (see schema-codegen.ts).
import type { ErrorObject } from 'ajv';

interface StandaloneValidate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: StandaloneValidate;
export default validate;
