import { parse as parseYaml } from 'yaml';
import { PolicyError, validatePolicy, type Policy } from './policy';

/*
 * Apart from policy.ts so that the workflow bundle, which needs the policy's types and rules but
 * never reads a policy file, does not carry a YAML parser.
 */

/** Parses and validates a policy (YAML or JSON text); throws a PolicyError listing every problem. */
export function parsePolicy(text: string, source = 'policy'): Policy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PolicyError(source, [{ path: '', message: `not valid YAML/JSON: ${(err as Error).message}` }]);
  }
  return validatePolicy(raw, source);
}
