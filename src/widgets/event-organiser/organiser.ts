// What <cercle-event-feed> imports on demand for organisers: the tools' element, registered. A module
// of its own so that the chunk it becomes is named for what it holds (`organiser-<hash>.js`).
import './define.js';
