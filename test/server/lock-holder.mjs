// Holds SQLite's write lock on a file for a moment, as the command line would while the server runs.
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';

const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
db.exec('begin immediate');
db.exec('create table if not exists lock_probe (x integer)');
db.prepare('insert into lock_probe (x) values (?)').run(1);
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
db.exec('commit');
db.close();
parentPort.postMessage('released');
