/** For rules on the drift events (docs/alerts.md, "EventBridge events"). */
export { DRIFT_DETAIL_TYPE, EVENT_SOURCE, RESOLVED_DETAIL_TYPE } from '../lambda/core/drift-events.js';
export {
  CognitoDriftDetector,
  type CognitoDriftDetectorProps,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from './cognito-drift-detector.js';
export { CognitoDriftStack, type CognitoDriftStackProps } from './cognito-drift-stack.js';
export {
  type ContextReader,
  DEFAULTS,
  DetectorConfigError,
  type DetectorSettings,
  isOrganizationMode,
  LOG_LEVELS,
  type LogLevel,
  parseDetectorConfig,
  parseSchedule,
  resolveDetectorSettings,
} from './config.js';
export { DriftDashboard, type DriftDashboardProps } from './dashboard.js';
export {
  CognitoDriftMemberForwarding,
  type CognitoDriftMemberForwardingProps,
  CognitoDriftMemberRole,
  type CognitoDriftMemberRoleProps,
  CognitoDriftMemberRoleStack,
  type CognitoDriftMemberRoleStackProps,
  MEMBER_READ_ACTIONS,
  MEMBER_ROLE_NAME,
} from './member-role.js';
export { DISTRIBUTED_MAP_THRESHOLD } from './organization-scan.js';
