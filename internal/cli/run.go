package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/plan"
	"github.com/onepipe/onepipe/pipeline"
)

type runOptions struct {
	source  sourceOptions
	out     outOptions
	engine  engineOptions
	inputs  plan.Inputs
	publish plan.Publish
	deploy  plan.Deploy
	dryRun  bool
}

func newRunCommand(env *Env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "Run the whole pipeline: test, lint and pack side by side, then publish and deploy",
		Long: `Run the whole pipeline on the app in --source.

test (pytest, JUnit report), lint (flake8 or ruff) and pack (the app's Dockerfile)
run side by side; the first blocking failure cancels the others. When --publish
or --push is given the image is pushed after all of them passed, tagged with the
release tag (vX.Y.Z) on release tags and the 8-character commit SHA otherwise.

With --deploy (or --cluster, --kubeconfig) the run also deploys to the
environment's Kubernetes cluster: the cluster stage makes sure the cluster is
ready while the checks run; after publish the deploy stage renders the
manifests of deploy.manifests, checks them with a server-side dry run,
applies them in dependency order, runs the migration Job, waits for the
rollout, runs the smoke checks and prints the address. A failure after the
app was applied rolls it back to its previous revision.

A summary with every stage's status and duration ends the run.`,
		Example: `  onepipe run --source examples/tornado --out /tmp/out
  onepipe run --only test,lint --allow-lint-failure
  onepipe run --publish 127.0.0.1:5000/onepipe/tornado --registry-username ci --registry-password env:REGISTRY_PASSWORD
  onepipe run --dry-run --tag v1.2.3 --publish acme.azurecr.io/shop
  onepipe run --source examples/flask --env dev --cluster local`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.inputs.Publish, o.inputs.Deploy = &o.publish, &o.deploy
			p, err := resolve(env, o.source, o.inputs)
			if err != nil {
				return err
			}
			if o.dryRun {
				p.Print(env.Out)
				return nil
			}
			return execute(cmd.Context(), env, p, o.engine, o.out)
		},
	}
	o.source.bind(cmd)
	o.out.bind(cmd)
	o.engine.bind(cmd)
	bindPlatforms(cmd, &o.inputs.Platforms)
	bindRef(cmd, &o.inputs.Ref)
	bindPublish(cmd, &o.publish)
	bindDeploy(cmd, &o.deploy)
	bindCache(cmd, &o.inputs.Cache)
	bindScan(cmd, &o.inputs.Scan)
	f := cmd.Flags()
	f.StringSliceVar(&o.inputs.Only, "only", nil, "run only these checks, comma-separated: test, lint, pack")
	f.BoolVar(&o.inputs.AllowLintFailure, "allow-lint-failure", false, "keep the lint report but do not fail the run on findings (also lint.allowFailure in onepipe.yaml)")
	f.BoolVar(&o.inputs.ExportImage, "export-image", false, "also write the image to OUT/image.tar as an OCI tarball")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would happen (same as onepipe plan) and stop")
	return cmd
}

// execute connects to the engine, runs the plan, writes the reports and
// prints the summary.
func execute(parent context.Context, env *Env, p *plan.Plan, eo engineOptions, out outOptions) error {
	if err := eo.check(); err != nil {
		return usageError(err)
	}
	if err := out.check(); err != nil {
		return usageError(err)
	}
	prog, err := newProgress(env, eo, out)
	if err != nil {
		return usageError(err)
	}
	defer prog.close()
	ctx, cancel := context.WithTimeoutCause(parent, eo.Timeout, fmt.Errorf("--timeout %s reached", eo.Timeout))
	defer cancel()

	fmt.Fprintf(env.Err, "onepipe: %s, version %s, environment %s\n", p.CI.Describe(), orNone(p.Release.Version), p.EnvName)
	dag, err := env.Connect(ctx, env, prog.engineLog, eo.Debug)
	if err != nil {
		return err
	}
	defer closeEngine(dag, env.Err)

	pl := p.NewPipeline(dag, pipeline.HostSource(dag, p.App.Project.Dir))
	flow := p.Flow(dag)
	flow.Log, flow.Events = prog.steps, prog.events
	if flow.Cache != nil {
		flow.Cache.Log = prog.steps
	}
	report, err := pl.Run(ctx, flow)
	// the reports leave the engine also after a failure or an interrupt
	ectx, ecancel := context.WithTimeout(context.WithoutCancel(ctx), exportTimeout)
	exportErr := report.Export(ectx, out.Out)
	ecancel()
	prog.close()

	if ctx.Err() != nil {
		err = interrupted(parent, ctx, report)
	}
	if err == nil && exportErr != nil {
		err = fmt.Errorf("reports: %w", exportErr)
	}
	if pipeline.EngineLost(err) {
		err = engineWentAway(err, report)
	}
	reports := ""
	if len(report.FileNames()) > 0 && exportErr == nil {
		reports = out.Out
	}
	if eo.Output == outputJSON {
		if jerr := printJSON(env.Out, p, report, reports, err); jerr != nil {
			return jerr
		}
		return err
	}
	fmt.Fprintln(env.Out)
	report.Print(env.Out)
	fmt.Fprintf(env.Out, "version %s, environment %s\n", orNone(p.Release.Version), p.EnvName)
	if reports != "" {
		fmt.Fprintf(env.Out, "reports in %s\n", reports)
	}
	return err
}

// interrupted says which stages a cancelled run (Ctrl-C, SIGTERM or
// --timeout) stopped and what was already published.
func interrupted(parent, ctx context.Context, report *pipeline.Report) error {
	var cancelled []string
	for _, s := range report.Stages() {
		if s.Status == pipeline.StatusCancelled {
			cancelled = append(cancelled, string(s.Stage))
		}
	}
	why := "interrupted"
	if parent.Err() == nil {
		why = context.Cause(ctx).Error()
	}
	pushed := "nothing was published"
	if len(report.Published) > 0 {
		pushed = fmt.Sprintf("%d tags were already published", len(report.Published))
	}
	return fmt.Errorf("%s: cancelled %s; %s", why, orNone(strings.Join(cancelled, ", ")), pushed)
}

// exportTimeout bounds writing the reports once the run ended.
const exportTimeout = 2 * time.Minute

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
