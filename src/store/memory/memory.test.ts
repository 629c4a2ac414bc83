import { runStoreConformance } from '../conformance/index.ts';
import { createMemoryBackend } from './index.ts';

runStoreConformance({
  name: 'memory',
  create: () => {
    const backend = createMemoryBackend({ users: { alice: 'correct horse' } });
    return Promise.resolve({ backend, username: 'alice', password: 'correct horse', close: () => backend.close() });
  },
});
