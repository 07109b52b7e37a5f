import '../../context/define.js';
import { CercleAdmin } from './admin.js';

CercleAdmin.define('cercle-admin');
