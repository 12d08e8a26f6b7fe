import { closeLeftovers } from './open-resources';

// Runs after every describe block of the file has finished (and its own afterAll hooks ran).
afterAll(async () => {
  const leftovers = await closeLeftovers();
  if (leftovers.length > 0) {
    throw new Error(`This test file left open (now force-closed): ${leftovers.join(', ')}`);
  }
});
