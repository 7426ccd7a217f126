import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';

/**
 * A user pool, as DescribeUserPool returns it, that passes every posture control judged on the
 * pool's own settings (not on its surfaces). Tests derive risky pools from it by changing one field.
 */
export const POSTURE_CLEAN_POOL: UserPoolType = {
  DeletionProtection: 'ACTIVE',
  MfaConfiguration: 'ON',
  Policies: {
    PasswordPolicy: {
      MinimumLength: 14,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
    },
  },
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
  UserPoolAddOns: {
    AdvancedSecurityMode: 'ENFORCED',
    AdvancedSecurityAdditionalFlows: { CustomAuthMode: 'ENFORCED' },
  },
};
