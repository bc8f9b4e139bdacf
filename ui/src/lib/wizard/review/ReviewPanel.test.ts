import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ReviewPanel from './ReviewPanel.svelte';
import type { DevValuedParameter } from '../../bindings/DevValuedParameter';
import type { DriftItem } from '../../bindings/DriftItem';
import type { ProductionReview } from '../../bindings/ProductionReview';

afterEach(cleanup);

const DIFF = `--- commit a964afbd as deployed
+++ contoso-synapse-prod (live)
@@ -18,7 +18,7 @@
         "policy": {
-          "retry": 2,
+          "retry": 5,
           "retryIntervalInSeconds": 60,
`;

const handEdit: DriftItem = { kind: 'pipeline', name: 'pl_ingest_customers', change: 'changed', diff: DIFF };

const scope: DevValuedParameter = {
  parameter: 'tr_sales_file_arrival_properties_typeProperties_scope',
  artifact: 'tr_sales_file_arrival',
  kind: 'trigger',
  path: 'properties.typeProperties.scope',
  devValue: '/subscriptions/6b1f/resourceGroups/rg-contoso-data-dev/providers/Microsoft.Storage/storageAccounts/contosodatalakedev',
  why: 'No override: trigger `tr_sales_file_arrival` would listen to the development storage account in production.',
  secure: false,
  defaultKept: 'developmentValue',
  overridable: true,
};

const connection: DevValuedParameter = {
  parameter: 'ls_sales_sql_connectionString',
  artifact: 'ls_sales_sql',
  kind: 'linkedService',
  path: 'properties.typeProperties.connectionString',
  devValue: 'Data Source=contoso-sales-dev;Password=***',
  why: 'No override, and the template keeps no value for a secure connection string.',
  secure: true,
  defaultKept: 'nothing',
  overridable: true,
};

function review(over: Partial<ProductionReview> = {}): ProductionReview {
  return {
    checkedAt: '2026-05-12T10:00:00Z',
    workspace: 'contoso-synapse-prod',
    releaseCommit: 'a964afbd0123456789abcdef0123456789abcdef',
    fixCommit: 'f1x0000000000000000000000000000000000000',
    tokenSource: 'simulator',
    triggers: {
      status: 'ran',
      result: [
        { name: 'tr_sales_file_arrival', runtimeState: 'Stopped', triggerType: 'BlobEventsTrigger' },
        { name: 'tr_daily_0600', runtimeState: 'Started', triggerType: 'ScheduleTrigger' },
      ],
    },
    drift: { status: 'ran', result: [handEdit] },
    parameters: { status: 'ran', result: [scope] },
    customParameterTemplate: false,
    overrideNotes: [],
    ...over,
  };
}

describe('ReviewPanel — what production will really receive', () => {
  it('marks the trigger stopped on purpose as staying stopped and the running one as restarted', () => {
    render(ReviewPanel, { review: review() });
    const stopped = screen.getByTestId('review-trigger-tr_sales_file_arrival');
    expect(stopped).toHaveAttribute('data-started', 'false');
    expect(within(stopped).getByTestId('review-trigger-tr_sales_file_arrival-action')).toHaveTextContent('Stays stopped');
    expect(screen.getByTestId('review-trigger-tr_daily_0600-action')).toHaveTextContent('Stopped, then started again');
    expect(screen.getByTestId('review-triggers-summary')).toHaveTextContent('stops the one trigger that runs now and starts only it again');
    // Sorted by name.
    const rows = screen.getAllByTestId(/^review-trigger-tr_[a-z_0-9]+$/);
    expect(rows.map((r) => r.dataset.testid)).toEqual(['review-trigger-tr_daily_0600', 'review-trigger-tr_sales_file_arrival']);
  });

  it('lists drift with its change and shows the diff when expanded, from the keyboard too', async () => {
    render(ReviewPanel, { review: review() });
    const item = screen.getByTestId('review-drift-pipeline-pl_ingest_customers');
    expect(item).toHaveAttribute('data-change', 'changed');
    expect(within(item).getByTestId('review-drift-pipeline-pl_ingest_customers-change')).toHaveTextContent('Changed in production');
    const details = item.querySelector('details')!;
    expect(details.open).toBe(false);
    const summary = item.querySelector('summary')!;
    await fireEvent.click(summary);
    expect(details.open).toBe(true);
    const diff = screen.getByTestId('review-drift-pipeline-pl_ingest_customers-diff');
    expect(diff.querySelector('.line-removed')).toHaveTextContent('"retry": 2');
    expect(diff.querySelector('.line-added')).toHaveTextContent('"retry": 5');
    expect(item).toHaveTextContent('Deploying overwrites this change.');
  });

  it('makes dev-valued parameters impossible to miss: an alert, the value, why, and the override to add', () => {
    render(ReviewPanel, { review: review({ parameters: { status: 'ran', result: [scope, connection] } }) });
    const banner = screen.getByTestId('review-params-banner');
    expect(banner).toHaveAttribute('role', 'alert');
    expect(banner).toHaveTextContent('2 values would reach production without a production value');
    const p = screen.getByTestId('review-param-tr_sales_file_arrival_properties_typeProperties_scope');
    expect(within(p).getByTestId('review-param-tr_sales_file_arrival_properties_typeProperties_scope-dev-value')).toHaveTextContent(
      'contosodatalakedev',
    );
    expect(p).toHaveTextContent('Development value');
    expect(p).toHaveTextContent('-tr_sales_file_arrival_properties_typeProperties_scope <production value>');
    expect(p.querySelector('code')).not.toBeNull();
    const c = screen.getByTestId('review-param-ls_sales_sql_connectionString');
    expect(c).toHaveTextContent('Empty in production');
    expect(c).toHaveTextContent('Secure');
    expect(screen.getByTestId('review-summary')).toHaveTextContent('2 values without a production value, 1 artifact changed in production');
    // The parameters come first: they are what goes wrong most often.
    const sections = screen.getByTestId('review-panel').querySelectorAll('.check');
    expect(sections[0]).toHaveAttribute('data-testid', 'review-parameters');
  });

  it('says which checks did not run, why and what to do, and never that they passed', () => {
    render(ReviewPanel, {
      review: review({
        tokenSource: undefined,
        triggers: { status: 'notRun', reason: 'The trigger check needs the Synapse data plane. No token.', whatToDo: 'Sign in.' },
        drift: { status: 'notRun', reason: 'The drift check needs the Synapse data plane. No token.', whatToDo: 'Sign in.' },
      }),
    });
    const t = screen.getByTestId('review-triggers-not-run');
    expect(t).toHaveAttribute('role', 'alert');
    expect(t).toHaveTextContent('The trigger check did not run');
    expect(screen.getByTestId('review-triggers-not-run-reason')).toHaveTextContent('No token.');
    expect(screen.getByTestId('review-triggers-not-run-what-to-do')).toHaveTextContent('Sign in.');
    expect(screen.getByTestId('review-drift-not-run')).toHaveTextContent('The drift check did not run');
    expect(screen.queryByTestId('review-drift-none')).toBeNull();
    expect(screen.queryByTestId('review-triggers-summary')).toBeNull();
    expect(screen.getByTestId('review-summary')).toHaveTextContent('2 checks did not run');
    expect(screen.getByTestId('review-facts')).not.toHaveTextContent('with');
  });

  it('says plainly when there is nothing to look at, and shows override notes when there are', async () => {
    const { rerender } = render(ReviewPanel, {
      review: review({ drift: { status: 'ran', result: [] }, parameters: { status: 'ran', result: [] } }),
    });
    expect(screen.getByTestId('review-drift-none')).toHaveTextContent('Production holds exactly what commit a964afbd deployed');
    expect(screen.getByTestId('review-params-none')).toHaveTextContent('the default parameter template');
    expect(screen.getByTestId('review-summary')).toHaveTextContent('Nothing needs your attention.');
    expect(screen.getByTestId('review-facts')).toHaveTextContent('with the demo simulator');
    await rerender({
      review: review({
        drift: { status: 'ran', result: [] },
        parameters: { status: 'ran', result: [] },
        customParameterTemplate: true,
        overrideNotes: ['The override -ls_kvv matches no template parameter of the fix commit.'],
      }),
    });
    expect(screen.getByTestId('review-params-none')).toHaveTextContent("the branch's template-parameters-definition.json");
    expect(screen.getByTestId('review-override-notes')).toHaveTextContent('-ls_kvv matches no template parameter');
    expect(screen.getByTestId('review-summary')).toHaveTextContent('1 override note');
  });
});
