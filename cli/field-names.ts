import * as cognitoIdentity from '@aws-sdk/client-cognito-identity';
import * as cognitoIdp from '@aws-sdk/client-cognito-identity-provider';
import * as wafv2 from '@aws-sdk/client-wafv2';

/** A structure schema as the SDK clients export it: `[3, namespace, name, traits, memberNames, memberSchemas]`. */
const STRUCTURE = 3;

/**
 * Every member name of every structure the read clients know (`EmailVerificationMessage`,
 * `CallbackURLs`, ...), from the SDK's own schemas. A field that Cognito leaves out when it is empty
 * is still one of these, so an ignore rule naming it is no typo even when no pool sets it.
 */
export function knownFieldNames(): ReadonlySet<string> {
  known ??= new Set(
    [cognitoIdp, cognitoIdentity, wafv2].flatMap((module) =>
      Object.entries(module).flatMap(([name, value]) =>
        name.endsWith('$') && Array.isArray(value) && value[0] === STRUCTURE && Array.isArray(value[4])
          ? (value[4] as unknown[]).filter((member): member is string => typeof member === 'string')
          : [],
      ),
    ),
  );
  return known;
}

let known: Set<string> | undefined;

/**
 * Whether an unmatched field rule (`fields: *.EmailVerificationMessage`) names a real field by its
 * last segment: then it matched nothing because no pool sets the field, not because of a typo.
 */
export function namesKnownField(rule: string): boolean {
  const match = /^fields: (?:.*\.)?([^.*]+)$/.exec(rule);
  return match !== null && knownFieldNames().has(match[1] as string);
}
