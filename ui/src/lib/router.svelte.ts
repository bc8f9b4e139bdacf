/**
 * Navigation state: one route per screen, held in a rune so any component can read `router.route`
 * and call `navigate(...)`. No URL routing: the app has a single window and no deep links.
 *
 * WIZARD-UI extends `Route` with its own screens; `App.svelte` maps each `name` to a screen.
 */

export type Route =
  | { name: 'profiles' }
  /** `profileId: null` = a new profile. */
  | { name: 'profileEditor'; profileId: string | null }
  | { name: 'about' }
  /** The runs of one profile (WIZARD-UI's `routes/Runs.svelte`). */
  | { name: 'runs'; profileId: string }
  /** One hotfix run (WIZARD-UI's `routes/Wizard.svelte`). */
  | { name: 'wizard'; runId: string };

export type RouteName = Route['name'];

class Router {
  route = $state<Route>({ name: 'profiles' });

  navigate(to: Route): void {
    this.route = to;
  }
}

export const router = new Router();

export function navigate(to: Route): void {
  router.navigate(to);
}
