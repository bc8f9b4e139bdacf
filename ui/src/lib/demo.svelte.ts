/**
 * Whether the built-in simulated organization runs, for the header's indicator. Set from
 * `app_info` at start-up and by the screens that start or reset the demo.
 */
import * as api from './api';
import type { Profile } from './api';

class DemoState {
  running = $state(false);

  /** Starts the simulator (idempotent) and returns the demo profile, refreshed. */
  async start(): Promise<Profile> {
    const profile = await api.demoStart();
    this.running = true;
    return profile;
  }

  async reset(): Promise<Profile> {
    this.running = false;
    const profile = await api.demoReset();
    this.running = true;
    return profile;
  }
}

export const demo = new DemoState();
