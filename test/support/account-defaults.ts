/**
 * What a new Cognito user pool and app client look like when nobody set a field: the defaults the
 * account model fills in under a seed's config, and a realistic threat-protection configuration.
 *
 * @module
 */
import type { SeedRiskConfiguration } from './cognito-surface.js';

type Json = Record<string, unknown>;

const STANDARD_ATTRIBUTES: ReadonlyArray<[string, string, boolean]> = [
  ['sub', 'String', false],
  ['name', 'String', true],
  ['given_name', 'String', true],
  ['family_name', 'String', true],
  ['middle_name', 'String', true],
  ['nickname', 'String', true],
  ['preferred_username', 'String', true],
  ['profile', 'String', true],
  ['picture', 'String', true],
  ['website', 'String', true],
  ['email', 'String', true],
  ['email_verified', 'Boolean', true],
  ['gender', 'String', true],
  ['birthdate', 'String', true],
  ['zoneinfo', 'String', true],
  ['locale', 'String', true],
  ['phone_number', 'String', true],
  ['phone_number_verified', 'Boolean', true],
  ['address', 'String', true],
  ['updated_at', 'Number', true],
  ['identities', 'String', true],
];

/** The standard attributes of a new pool (`email` required when asked). */
export function standardSchema(requiredEmail: boolean): Json[] {
  return STANDARD_ATTRIBUTES.map(([name, type, mutable]) => {
    const attr: Json = {
      Name: name,
      AttributeDataType: type,
      DeveloperOnlyAttribute: false,
      Mutable: mutable,
      Required: name === 'sub' || (requiredEmail && name === 'email'),
    };
    if (type === 'String') {
      attr.StringAttributeConstraints =
        name === 'sub' ? { MinLength: '1', MaxLength: '2048' } : { MinLength: '0', MaxLength: '2048' };
    } else if (type === 'Number') {
      attr.NumberAttributeConstraints = { MinValue: '0' };
    }
    return attr;
  });
}

/** A new pool's DescribeUserPool fields, minus those the model controls (ids, names, dates). */
export function defaultPoolConfig(): Json {
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      },
      SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
    },
    DeletionProtection: 'INACTIVE',
    LambdaConfig: {},
    SchemaAttributes: standardSchema(true),
    AutoVerifiedAttributes: ['email'],
    UsernameAttributes: ['email'],
    VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
    UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: [] },
    MfaConfiguration: 'OFF',
    EstimatedNumberOfUsers: 0,
    EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
    UserPoolTags: {},
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 },
    UsernameConfiguration: { CaseSensitive: false },
    AccountRecoverySetting: { RecoveryMechanisms: [{ Priority: 1, Name: 'verified_email' }] },
    UserPoolTier: 'ESSENTIALS',
  };
}

/** A new public client's DescribeUserPoolClient fields, minus ids, names, secret and dates. */
export function defaultClientConfig(): Json {
  return {
    RefreshTokenValidity: 30,
    AccessTokenValidity: 60,
    IdTokenValidity: 60,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'],
    AllowedOAuthFlowsUserPoolClient: false,
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true,
    EnablePropagateAdditionalUserContextData: false,
    AuthSessionValidity: 3,
  };
}

/** A realistic threat-protection configuration (what the console sets for "full function"). */
export function defaultRiskConfiguration(): SeedRiskConfiguration {
  return {
    CompromisedCredentialsRiskConfiguration: {
      EventFilter: ['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP'],
      Actions: { EventAction: 'BLOCK' },
    },
    AccountTakeoverRiskConfiguration: {
      Actions: {
        LowAction: { Notify: false, EventAction: 'NO_ACTION' },
        MediumAction: { Notify: true, EventAction: 'MFA_IF_CONFIGURED' },
        HighAction: { Notify: true, EventAction: 'BLOCK' },
      },
    },
    RiskExceptionConfiguration: { BlockedIPRangeList: ['198.51.100.0/24'], SkippedIPRangeList: [] },
  };
}

/** A shallow merge; a key set to `undefined` removes the field from answers. */
export function mergeConfig(base: Json, patch: Json | undefined): Json {
  return patch ? { ...base, ...patch } : { ...base };
}
