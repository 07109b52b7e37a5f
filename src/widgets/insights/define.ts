import '../../context/define.js';
import { CercleInsights } from './insights.js';

CercleInsights.define('cercle-insights');
