import { describe, expect, it } from 'vitest';
import { SCREENS, hasScreen, lastScreen, screenFor } from './registry';
import { STEPS, stepInfo, stepNumber } from './steps';

describe('step registry', () => {
  it('has the core catalogue: eight steps in order, titled and described once', () => {
    expect(STEPS.map((s) => s.id)).toEqual([
      'release',
      'branch',
      'fix',
      'pipeline',
      'deploy',
      'confirm',
      'mergeBack',
      'cleanup',
    ]);
    expect(STEPS.map((s) => s.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(stepInfo('branch').title).toBe('Hotfix branch');
    expect(STEPS.every((s) => s.description.length > 0)).toBe(true);
    expect(stepNumber('mergeBack')).toBe(7);
  });

  it('opens steps with a screen and maps the others to the last screen before them', () => {
    expect(Object.keys(SCREENS)).toEqual(['release', 'branch', 'fix', 'pipeline', 'mergeBack', 'cleanup']);
    expect(hasScreen('fix')).toBe(true);
    expect(hasScreen('pipeline')).toBe(true);
    expect(hasScreen('deploy')).toBe(false);
    expect(hasScreen('mergeBack')).toBe(true);
    expect(lastScreen()).toBe('cleanup');
    expect(screenFor('cleanup')).toBe('cleanup');
    expect(screenFor('mergeBack')).toBe('mergeBack');
    expect(screenFor('branch')).toBe('branch');
    expect(screenFor('deploy')).toBe('pipeline');
  });
});
