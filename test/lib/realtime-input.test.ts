import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  eventBridgeSource,
  writeEventTable,
} from '../../lambda/core/write-events.js';
import { type CloudTrailApiEvent, parseApiEvent } from '../../lambda/realtime/api-event.js';
import { CATALOG } from '../../lambda/surfaces/index.js';
import { CognitoDriftStack } from '../../lib/cognito-drift-stack.js';
import { type AslDefinition, runDefinition } from '../support/asl.js';
import { cdkJsonContext, joinToString } from '../support/cdk-template.js';
import { applyInputTransformer, type InputTransformer } from '../support/event-input.js';

const WRITE_EVENTS = writeEventTable(CATALOG).events;
const SAML_CANARY = '<md:EntityDescriptor entityID="CANARY-saml-metadata-51c9">';
const SECRET_CANARY = 'CANARY-idp-client-secret-0d7e';
const POOL = 'eu-west-1_AbCdEf123';

/** A CloudTrail record as EventBridge delivers it, naming its resources everywhere the table looks. */
function rawEvent(eventSource: (typeof WRITE_EVENTS)[number]['eventSource'], eventName: string) {
  return {
    version: '0',
    id: 'e0e0e0e0-1111-2222-3333-444444444444',
    'detail-type': CLOUDTRAIL_DETAIL_TYPE,
    source: eventBridgeSource(eventSource),
    account: '123456789012',
    time: '2026-12-05T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAEXAMPLE:alice',
        arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
        accountId: '123456789012',
        accessKeyId: 'ASIAEXAMPLE',
        sessionContext: { sessionIssuer: { type: 'Role', userName: 'Admin' } },
      },
      eventTime: '2026-12-05T09:59:58Z',
      eventSource,
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '198.51.100.7',
      userAgent: 'aws-cli/2.17',
      requestParameters: {
        userPoolId: POOL,
        clientId: 'client123',
        providerName: 'Corp',
        groupName: 'admins',
        identityPoolId: 'eu-west-1:0000aaaa-1111-2222-3333-444455556666',
        resourceArn: `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL}`,
        providerDetails: { MetadataFile: SAML_CANARY, client_secret: SECRET_CANARY },
      },
      responseElements: {
        userPool: { id: POOL, name: 'prod' },
        identityPoolId: 'eu-west-1:0000aaaa-1111-2222-3333-444455556666',
        userPoolClient: { clientId: 'client123', clientSecret: SECRET_CANARY },
      },
      eventID: '9f0e1d2c-3b4a-5968-7766-554433221100',
      readOnly: false,
      eventType: 'AwsApiCall',
    },
  };
}

describe('the real-time rules forward only what a check reads', () => {
  let transformers: InputTransformer[];
  let definition: AslDefinition;
  let logging: { Level: string; IncludeExecutionData: boolean };

  beforeAll(() => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const stack = new CognitoDriftStack(app, 'CognitoDrift', {
      detector: { alertEmails: ['a@example.com'] },
    });
    const template = Template.fromStack(stack);
    transformers = Object.values(template.findResources('AWS::Events::Rule'))
      .flatMap((rule) => rule.Properties.Targets as { InputTransformer?: InputTransformer }[])
      .flatMap((target) => (target.InputTransformer ? [target.InputTransformer] : []));
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    definition = JSON.parse(joinToString(machine?.Properties.DefinitionString));
    logging = machine?.Properties.LoggingConfiguration;
  });

  it('gives both rules an input transformer within the 100 variables EventBridge allows', () => {
    expect(transformers).toHaveLength(2);
    for (const transformer of transformers)
      expect(Object.keys(transformer.InputPathsMap).length).toBeLessThanOrEqual(100);
  });

  it.each(WRITE_EVENTS.map((e) => [e.eventName, e.eventSource] as const))(
    '%s: the function reads the same event from the forwarded fields as from the whole record',
    async (eventName, eventSource) => {
      const raw = rawEvent(eventSource, eventName);
      const whole = parseApiEvent(raw as CloudTrailApiEvent);
      expect([...(whole?.userPoolIds ?? []), ...(whole?.identityPoolIds ?? [])]).not.toEqual([]);

      for (const transformer of transformers) {
        const forwarded = applyInputTransformer(transformer, raw);
        expect(parseApiEvent(forwarded)).toEqual(whole);
        expect(JSON.stringify(forwarded)).not.toContain('CANARY');
      }
    },
  );

  it('never lets SAML metadata or a secret in requestParameters reach the state machine or the function', async () => {
    const raw = rawEvent('cognito-idp.amazonaws.com', 'UpdateIdentityProvider');
    // The canary is in the event: the test would prove nothing otherwise.
    expect(JSON.stringify(raw)).toContain(SAML_CANARY.slice(0, 20));
    const payloads: unknown[] = [];

    for (const transformer of transformers) {
      const input = applyInputTransformer(transformer, raw);
      await runDefinition(definition, input, {
        invoke: async (payload) => {
          payloads.push(payload);
          return { done: true, runId: 'realtime-1' };
        },
      });
      expect(JSON.stringify(input)).not.toContain('CANARY');
    }

    expect(payloads).toHaveLength(2);
    expect(JSON.stringify(payloads)).not.toContain('CANARY');
    expect(JSON.stringify(payloads)).not.toContain('requestParameters":{"providerDetails');
    expect(parseApiEvent(payloads[0] as CloudTrailApiEvent)?.userPoolIds).toEqual([POOL]);
  });

  it('logs every state transition without execution data', () => {
    expect(logging).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
  });
});
