import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Disables, as each test file starts, every AsyncLocalStorage that earlier files of this Jest worker enabled.
 *
 * Each file loads its modules anew, so nestjs-pino's request storage and jest-circus's test context are new
 * instances in every file, and `run()` enables them. On Node 20 and 22 an enabled storage stays in a list that
 * a hook walks at the creation of every promise and async resource, and nothing ever disables these: after
 * twenty files a worker's every promise paid for twenty stale storages (100,000 awaits went from 59 ms to
 * 810 ms; 66 files one by one took 262 s of CPU against 218 s with this reset). The node:async_hooks module
 * is one per process, shared by every file, so the enabled instances are tracked on it. The current file's
 * storages are enabled again by their own `run()`. Node 24's AsyncLocalStorage has no such list (and no
 * `_enable`): nothing to do there.
 */
interface TrackableStorage {
  _enable(): void;
  disable(): void;
}
const prototype = AsyncLocalStorage.prototype as unknown as Partial<TrackableStorage>;
const TRACKED = Symbol.for('bulk-sms.test.enabledAsyncLocalStorages');
const tracking = AsyncLocalStorage as unknown as { [TRACKED]?: Set<TrackableStorage> };

if (typeof prototype._enable === 'function') {
  let enabled = tracking[TRACKED];
  if (!enabled) {
    const original = prototype._enable;
    const instances = new Set<TrackableStorage>();
    prototype._enable = function (this: TrackableStorage) {
      instances.add(this);
      original.call(this);
    };
    tracking[TRACKED] = enabled = instances;
  }
  for (const storage of enabled) {
    storage.disable();
  }
  enabled.clear();
}
