export { CercleClient, type ClientOptions, type EventListQuery } from './client.js';
export { CercleError } from './errors.js';
export { TokenKeeper } from './token.js';
export { Outbox, type Draft, type OutboxListener } from './outbox.js';
export { shallow, type Kind, type Parser } from './parse.js';
