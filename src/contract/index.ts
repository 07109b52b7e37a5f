export * from './common.js';
export * from './resources.js';
export * from './requests.js';
export * from './events.js';
export * from './members.js';
export * from './live.js';
export * from './engagement.js';
export { routes, type RouteSpec, type RouteName } from './routes.js';
