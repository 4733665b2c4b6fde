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

type downOptions struct {
	source         sourceOptions
	env            string
	deploy         plan.Deploy
	allowProtected bool
	timeout        time.Duration
	dryRun         bool
	debug          bool
}

func newDownCommand(env *Env) *cobra.Command {
	o := &downOptions{}
	cmd := &cobra.Command{
		Use:   "down [--env NAME] [--review NAME] [flags]",
		Short: "Tear an environment down: delete the namespace its deploys made, with everything in it",
		Long: `Tear down what a deploy of an environment created: for the Kubernetes
target, its namespace and everything in it (kubectl delete namespace, waiting
until it is gone). The cluster is the one a deploy of the environment uses
(onepipe.yaml, or --cluster / --kubeconfig); nothing else on it changes.

With --review the review environment of that name goes (the namespace
NAMESPACE-NAME a run --review NAME deployed to): the stop job of a merge
request's review environment. A protected environment (prod) goes only with
--allow-protected; namespaces of the cluster's own (default, kube-system ...)
never. A namespace that is already gone is no error.`,
		Example: `  onepipe down --source examples/tornado --review mr-7 --cluster local
  onepipe down --env dev --review "$CI_COMMIT_REF_SLUG" --kubeconfig env:KUBECONFIG_DATA
  onepipe down --env dev --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDown(cmd.Context(), env, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.source.Source, "source", "s", ".", "folder of the app (its onepipe.yaml names the environments' namespaces and clusters)")
	f.StringVarP(&o.env, "env", "e", "dev", "environment to tear down")
	f.StringVar(&o.deploy.Review, "review", "", "tear down the review environment NAME of --env (what run --review NAME deployed), e.g. $CI_COMMIT_REF_SLUG")
	bindCluster(cmd, &o.deploy)
	f.BoolVar(&o.allowProtected, "allow-protected", false, "allow tearing down a protected environment (prod)")
	f.DurationVar(&o.timeout, "timeout", plan.DefaultDownTimeout, "how long to wait until the namespace is gone")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be deleted, and where, and stop")
	f.BoolVar(&o.debug, "debug", false, "show the engine's progress in more detail")
	return cmd
}

// runDown plans the teardown, then deletes the namespace on the cluster.
func runDown(ctx context.Context, env *Env, o *downOptions) error {
	if o.timeout <= 0 {
		return usagef("--timeout %s: give a positive duration such as 5m", o.timeout)
	}
	app, err := loadApp(o.source)
	if err != nil {
		return err
	}
	td, err := app.Down(o.env, o.deploy, o.allowProtected, env.plan())
	if err != nil {
		return usageError(err)
	}
	if o.dryRun {
		fmt.Fprintln(env.Out, strings.Join(td.Plan(o.timeout), "\n"))
		return nil
	}
	return onCluster(ctx, env, td.Cluster, o.debug, func(c *pipeline.Cluster) error {
		out, err := c.Exec(ctx, c.Kubectl(), td.DeleteArgs(o.timeout))
		if err != nil {
			return fmt.Errorf("down %s: %w", td.Namespace, err)
		}
		fmt.Fprintln(env.Out, downResult(td, out))
		return nil
	})
}

// downResult is the line that says what down did: kubectl prints nothing
// when --ignore-not-found found nothing.
func downResult(td *plan.Teardown, kubectlOut string) string {
	what := "environment " + td.EnvName
	if td.Review != "" {
		what = fmt.Sprintf("review environment %s of %s", td.Review, td.EnvName)
	}
	if strings.TrimSpace(kubectlOut) == "" {
		return fmt.Sprintf("namespace %s (%s) was not there: nothing to delete on the %s cluster", td.Namespace, what, td.Provider)
	}
	return fmt.Sprintf("deleted namespace %s (%s) on the %s cluster", td.Namespace, what, td.Provider)
}
