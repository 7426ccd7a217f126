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
  LOG_LEVELS,
  type LogLevel,
  parseDetectorConfig,
  parseSchedule,
  resolveDetectorSettings,
} from './config.js';
