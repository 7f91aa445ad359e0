// One PRNG for the server's tests and the fault-injection suite.
export { mulberry32 } from '../../src/testing';
