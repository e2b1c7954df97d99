import { type TProperties, type TSchema, Type } from "typebox";

/** The schema or JSON `null` (a Rust `Option` that serializes as `null` when absent). */
export function Nullable<T extends TSchema>(schema: T, description?: string) {
  return Type.Union([schema, Type.Null()], description === undefined ? {} : { description });
}

/** A copy of a shared schema carrying a field-specific description. */
export function Described<T extends TSchema>(schema: T, description: string) {
  return Type.With(schema, { description });
}

/** An id or other free-form string field. */
export function Text(description: string) {
  return Type.String({ description });
}

/** An array of string ids. */
export function IdList(description: string) {
  return Type.Array(Type.String(), { description });
}

/** An object of the reduced state: its keys are exactly the listed ones, as the reference writes them. */
export function StrictObject<T extends TProperties>(
  properties: T,
  options: { title: string; description: string },
) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/** Milliseconds since the Unix epoch. */
export function UnixMs(description: string) {
  return Type.Integer({ description });
}

/** An event sequence number. */
export function Seq(description: string) {
  return Type.Integer({ minimum: 0, description });
}
