import '../../context/define.js';
import { CercleSearch } from './search.js';

CercleSearch.define('cercle-search');
