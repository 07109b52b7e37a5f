export { CercleCommunity } from './community.js';
export { communityContext, type Community, type Session } from './context.js';
