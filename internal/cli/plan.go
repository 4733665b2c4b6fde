package cli

import (
	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/plan"
)

func newPlanCommand(env *Env) *cobra.Command {
	var (
		so      sourceOptions
		in      plan.Inputs
		publish plan.Publish
		deploy  plan.Deploy
	)
	cmd := &cobra.Command{
		Use:   "plan [flags]",
		Short: "Print what a run would do, without touching any engine, registry or cluster",
		Long: `Print what onepipe run would do here: the CI it detected, the ref and
commit, the version and environment chosen by the release policy, the stages,
the image references it would push and the cluster and deploy steps. It
resolves everything exactly as run does (missing secrets and bad flags fail
the same way) but builds, pushes and deploys nothing.`,
		Example: `  onepipe plan --source examples/tornado --publish 127.0.0.1:5000/onepipe/tornado
  CI_COMMIT_TAG=v1.2.3 GITLAB_CI=true onepipe plan --push
  onepipe plan --source examples/flask --env dev --cluster local`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in.Publish, in.Deploy = &publish, &deploy
			p, err := resolve(env, so, in)
			if err != nil {
				return err
			}
			p.Print(env.Out)
			return nil
		},
	}
	so.bind(cmd)
	bindPlatforms(cmd, &in.Platforms)
	bindRef(cmd, &in.Ref)
	bindPublish(cmd, &publish)
	bindDeploy(cmd, &deploy)
	bindCache(cmd, &in.Cache)
	bindScan(cmd, &in.Scan)
	cmd.Flags().StringSliceVar(&in.Only, "only", nil, "plan only these checks, comma-separated: test, lint, pack")
	return cmd
}
