import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { router } from '../router.svelte';
import WizardError from './WizardError.svelte';

afterEach(() => {
  cleanup();
  router.navigate({ name: 'profiles' });
});

describe('WizardError', () => {
  it('offers the profile for a rejected token, whatever the message says', async () => {
    render(WizardError, {
      error: { code: 'tokenRejected', message: 'HTTP 401.' },
      testid: 'e',
      profileId: 'p-demo',
    });
    expect(screen.getByTestId('e')).toHaveTextContent('Azure DevOps rejected the token');
    await fireEvent.click(screen.getByTestId('e-profile'));
    expect(router.route).toEqual({ name: 'profileEditor', profileId: 'p-demo' });
  });

  it('does not offer the profile for a server error even if the text mentions a token', () => {
    render(WizardError, {
      error: { code: 'serverError', message: 'The token service answered 500.' },
      testid: 'e',
      profileId: 'p-demo',
      onretry: () => {},
    });
    expect(screen.queryByTestId('e-profile')).toBeNull();
    expect(screen.getByTestId('e-retry')).toBeInTheDocument();
  });
});
