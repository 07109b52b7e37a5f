// The globals web-test-runner's mocha provides (the subset these tests use).
type Done = () => unknown;
declare function describe(title: string, fn: () => void): void;
declare function it(title: string, fn: Done): void;
declare function before(fn: Done): void;
declare function beforeEach(fn: Done): void;
declare function after(fn: Done): void;
declare function afterEach(fn: Done): void;
