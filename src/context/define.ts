import { CercleCommunity } from './community.js';

CercleCommunity.define('cercle-community');
