import type { SRecord } from '../store';
import type { OAuthReply, TokenService } from '../oauth';
import { CONTROL_ROUTES } from './control';

/** `POST /services/oauth2/token` and `POST /services/oauth2/revoke`. */
export function oauthEndpoint(tokens: TokenService, method: string, pathname: string, params: URLSearchParams, baseUrls: string[]): { status: number; body?: OAuthReply['body'] } {
  if (method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: 'must use HTTP POST' } };
  if (pathname.endsWith('/revoke')) {
    return tokens.revoke(params.get('token') ?? '')
      ? { status: 200 }
      : { status: 400, body: { error: 'unsupported_token_type', error_description: 'this token type is not supported' } };
  }
  return tokens.handleTokenRequest(params, baseUrls);
}

/** The identity URL document (`GET /id/<org>/<user>`) that jsforce's `identity()` reads. */
export function identityDocument(url: string, orgId: string, user: SRecord): Record<string, unknown> {
  const rest = `${url}/services/data/v{version}`;
  return {
    emulator: true,
    id: `${url}/id/${orgId}/${String(user.Id)}`,
    user_id: user.Id,
    organization_id: orgId,
    username: user.Username,
    display_name: user.Name,
    email: user.Email,
    active: user.IsActive,
    user_type: 'STANDARD',
    urls: { rest: `${rest}/`, sobjects: `${rest}/sobjects/`, query: `${rest}/query/` },
  };
}

/** `GET /`: what this server is. */
export function aboutPage(url: string, orgId: string): Record<string, unknown> {
  return {
    emulator: true,
    name: 'Handoff Salesforce emulator',
    notice: 'This is a local emulator of the Salesforce REST API subset jsforce uses, for development and tests. It is not Salesforce and holds no real data.',
    orgId,
    instanceUrl: url,
    tokenEndpoint: `${url}/services/oauth2/token`,
    dataApi: `${url}/services/data/v62.0`,
    controls: CONTROL_ROUTES,
  };
}
