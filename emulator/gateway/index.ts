/** The IAM gateway and the object store behind it. */
export {
  createGateway,
  type Gateway,
  type GatewayOptions,
  type StorageInspector,
  type InspectedObject,
  type UnsafeKey,
} from './gateway.ts';
export { startGatewayServer, type GatewayServerOptions, type RunningGateway } from './server.ts';
export type { ObjectEvent, DecisionEvent, GatewayEvents } from './context.ts';
export { isAuthenticationFailure, type RequestActivity } from './request-trace.ts';
export { EXPLANATION_HEADER } from './authorizer.ts';
export type { DecisionFilter, LoggedDecision } from './decision-log.ts';
