/**
 * Navigation state: one route per screen, held in a rune so any component can read `router.route`
 * and call `navigate(...)`. No URL routing: the app has a single window and no deep links.
 *
 * A new screen adds its variant to `Route`; `App.svelte` maps each `name` to a screen.
 */

export type Route =
  | { name: 'profiles' }
  /** `profileId: null` = a new profile. */
  | { name: 'profileEditor'; profileId: string | null }
  | { name: 'about' }
  /** The runs of one profile (`routes/Runs.svelte`). */
  | { name: 'runs'; profileId: string }
  /** One hotfix run (`routes/Wizard.svelte`). */
  | { name: 'wizard'; runId: string }
  /** Every run, finished or not (`routes/History.svelte`); `runId` opens one. */
  | { name: 'history'; runId?: string };

export type RouteName = Route['name'];

/**
 * Asked before every navigation: `true` lets it happen, `false` keeps the current screen (the
 * screen that installed the guard then asks the user, and navigates with `force` if they agree).
 */
export type Guard = (to: Route) => boolean;

class Router {
  route = $state<Route>({ name: 'profiles' });
  #guard: Guard | null = null;

  /** Goes to `to` unless a guard holds it back; `force` skips the guard. Returns whether it went. */
  navigate(to: Route, options: { force?: boolean } = {}): boolean {
    if (!options.force && this.#guard && !this.#guard(to)) return false;
    this.route = to;
    return true;
  }

  /**
   * Installs `guard` (one at a time: the screen being shown owns it). Returns the function that
   * removes it, so it fits an `$effect` teardown.
   */
  guard(guard: Guard): () => void {
    this.#guard = guard;
    return () => {
      if (this.#guard === guard) this.#guard = null;
    };
  }
}

export const router = new Router();

export function navigate(to: Route, options: { force?: boolean } = {}): boolean {
  return router.navigate(to, options);
}
