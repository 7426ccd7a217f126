/**
 * Names shared by the function that emits metrics and the alarms that watch them: written once, so
 * a rename cannot leave an alarm watching a namespace nothing publishes to.
 */
export const METRICS_NAMESPACE = 'CognitoDrift';
/** The Powertools `service` name, also the `service` metric dimension. */
export const SERVICE_NAME = 'cognito-drift';
