import type { ConnectionLike } from '@temporalio/client';

/** The namespace's custom search attributes (name → indexed value type), for the search-attributes check. */
export async function listSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<Record<string, number>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.fromEntries(
    Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]),
  );
}
