/** What bin/openapi-operations.mjs finds in a controller method's TypeScript (see operations.generated.ts). */
export interface GeneratedOperation {
  method: string;
  /** The success status: @HttpCode, else Nest's default (201 for POST, 200 otherwise). */
  status: number;
  /** A creation (201) that answers 200 when nothing was created (it calls `res.status(200)`): a retry, the same file again, a regeneration. */
  unchanged?: 200;
  public: boolean;
  /** JSON Schema (OpenAPI 3.1) of the answer, converted from the method's awaited return type. */
  response?: object;
  /** The method writes the answer itself (@Res()): a file, not JSON. */
  writesItself?: true;
  produces?: string[];
  headers: { idempotencyKey: boolean; ifMatch: boolean; onBehalfOf: boolean };
  responseHeaders: { etag: boolean; location: boolean; position: boolean };
  /** Reads ?asOf= and ?minPosition= (@ReadAtParam). */
  readAt: boolean;
  /** Query parameters read off a @Query() object. */
  query: string[];
  queryDto?: string;
}
