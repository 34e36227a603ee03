/** A Salesforce API error as it appears at the top level of a REST response. */
export interface SfError {
  message: string;
  errorCode: string;
  fields: string[];
}

export function sfError(errorCode: string, message: string, fields: string[] = []): SfError {
  return { message, errorCode, fields };
}

const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  ENTITY_IS_DELETED: 404,
  INVALID_SESSION_ID: 401,
  REQUEST_LIMIT_EXCEEDED: 403,
  METHOD_NOT_ALLOWED: 405,
};

export function httpStatusOf(error: SfError): number {
  return STATUS_BY_CODE[error.errorCode] ?? 400;
}

/** Per-record error shape inside sObject Collections results (`statusCode`, not `errorCode`). */
export function collectionError(error: SfError): { statusCode: string; message: string; fields: string[] } {
  return { statusCode: error.errorCode, message: error.message, fields: error.fields };
}

export const NOT_FOUND = sfError('NOT_FOUND', 'The requested resource does not exist');

export const ROLLED_BACK = sfError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

export function noSuchColumn(sobject: string, field: string): string {
  return (
    `No such column '${field}' on entity '${sobject}'. If you are attempting to use a custom field, be sure to ` +
    `append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
  );
}
