package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/pipeline"
)

type runOptions struct {
	source           sourceOptions
	ref              refOptions
	publish          publishOptions
	deploy           deployOptions
	only             []string
	allowLintFailure bool
	exportImage      bool
	dryRun           bool
}

func newRunCommand(env *Env) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "Run the whole pipeline: test, lint and pack side by side, then publish",
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
			stages, err := parseStages(o.only)
			if err != nil {
				return err
			}
			p, err := resolve(env, resolveInputs{Source: o.source, Ref: o.ref, Publish: &o.publish, Stages: stages, AllowLintFailure: o.allowLintFailure, Deploy: &o.deploy})
			if err != nil {
				return err
			}
			if o.dryRun {
				p.Print(env.Out)
				return nil
			}
			return execute(cmd.Context(), env, p, o.source, o.exportImage)
		},
	}
	o.source.bind(cmd)
	o.ref.bind(cmd)
	o.publish.bind(cmd)
	o.deploy.bind(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&o.only, "only", nil, "run only these checks, comma-separated: test, lint, pack")
	f.BoolVar(&o.allowLintFailure, "allow-lint-failure", false, "keep the lint report but do not fail the run on findings (also lint.allowFailure in onepipe.yaml)")
	f.BoolVar(&o.exportImage, "export-image", false, "also write the image to OUT/image.tar as an OCI tarball")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would happen (same as onepipe plan) and stop")
	return cmd
}

// parseStages validates --only.
func parseStages(names []string) ([]pipeline.Stage, error) {
	known := []pipeline.Stage{pipeline.StageTest, pipeline.StageLint, pipeline.StagePack}
	var out []pipeline.Stage
	for _, n := range names {
		s := pipeline.Stage(strings.ToLower(strings.TrimSpace(n)))
		if !slices.Contains(known, s) {
			return nil, usagef("unknown stage %q in --only: use test, lint or pack", n)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// execute connects to the engine, runs the plan and prints the summary.
func execute(parent context.Context, env *Env, p *plan, so sourceOptions, exportImage bool) error {
	ctx, cancel := context.WithTimeoutCause(parent, so.Timeout, fmt.Errorf("--timeout %s reached", so.Timeout))
	defer cancel()

	fmt.Fprintf(env.Err, "onepipe: %s, version %s, environment %s\n", p.CI.Describe(), orNone(p.Release.Version), p.EnvName)
	dag, err := env.Connect(ctx, env, env.Err, so.Debug)
	if err != nil {
		return err
	}
	defer closeEngine(dag, env.Err)

	pl := pipeline.New(dag, pipeline.HostSource(dag, p.Project.Dir), p.Pipeline)
	flow := pipeline.Flow{
		Stages:           p.Stages,
		OutDir:           p.OutDir,
		AllowLintFailure: p.AllowLintFailure,
		ExportImage:      exportImage,
	}
	if p.Publish != nil {
		flow.Publish = &pipeline.PublishStep{
			Registry: pipeline.Registry{Repository: p.Publish.Repository, Username: p.Publish.Username, Password: p.secret(dag, "registry-password")},
			Tags:     p.Publish.Tags,
		}
	}
	var address string
	if p.Kube != nil {
		cluster, deploy := p.kubeSteps(dag, pl, env, &address)
		flow.Alongside = append(flow.Alongside, cluster)
		flow.Then = append(flow.Then, deploy)
	}

	report, err := pl.Run(ctx, flow)
	fmt.Fprintln(env.Out)
	report.Print(env.Out)
	fmt.Fprintf(env.Out, "version %s, environment %s\n", orNone(p.Release.Version), p.EnvName)
	if p.OutDir != "" {
		fmt.Fprintf(env.Out, "reports in %s\n", p.OutDir)
	}
	if address != "" {
		fmt.Fprintf(env.Out, "address: %s\n", address)
	}
	if ctx.Err() != nil {
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
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
