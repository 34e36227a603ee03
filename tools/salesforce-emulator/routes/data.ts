import { handleCollections } from './collections';
import { json, methodNotAllowed, notFound, type DataEnv, type DataRequest, type DataResponse } from './common';
import { handleComposite } from './composite';
import { handleQuery } from './query';
import { handleSObjects } from './sobjects';

function resources(request: DataRequest): DataResponse {
  const base = `/services/data/v${request.version}`;
  return json(200, {
    sobjects: `${base}/sobjects`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    composite: `${base}/composite`,
    limits: `${base}/limits`,
  });
}

function limits(env: DataEnv, request: DataRequest): DataResponse {
  if (request.method !== 'GET') return methodNotAllowed(request.method, ['GET']);
  const { used, max } = env.apiUsage();
  return json(200, { DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) } });
}

/** Routes one data API request (everything under `/services/data/vNN.N`). Synchronous: records live in memory. */
export function dispatchData(env: DataEnv, request: DataRequest): DataResponse {
  const [first, second] = request.segments;
  switch (first) {
    case undefined:
      return request.method === 'GET' ? resources(request) : methodNotAllowed(request.method, ['GET']);
    case 'limits':
      return request.segments.length === 1 ? limits(env, request) : notFound();
    case 'sobjects':
      return handleSObjects(env, request);
    case 'query':
    case 'queryAll':
      return handleQuery(env, request);
    case 'composite':
      if (second === undefined) return handleComposite(env, request);
      return second === 'sobjects' ? handleCollections(env, request) : notFound();
    default:
      return notFound();
  }
}

/** Whether a request can change records (fault injection treats writes and reads differently). */
export function isWriteRequest(request: DataRequest): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return false;
  const [first, second, third] = request.segments;
  const collectionRetrieve = first === 'composite' && second === 'sobjects' && third !== undefined && request.method === 'POST' && request.segments.length === 3;
  return !collectionRetrieve;
}
