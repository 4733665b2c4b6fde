package cli

import (
	"github.com/spf13/cobra"
)

func newPlanCommand(env *Env) *cobra.Command {
	var (
		so sourceOptions
		ro refOptions
		po publishOptions
		do deployOptions
	)
	cmd := &cobra.Command{
		Use:   "plan [flags]",
		Short: "Print what a run would do, without touching any engine, registry or cluster",
		Long: `Print what onepipe run would do here: the CI it detected, the ref and
commit, the version and environment chosen by the release policy, the stages,
the image references it would push and the deploy targets. It resolves
everything exactly as run does (missing secrets and bad flags fail the same
way) but builds, pushes and deploys nothing.`,
		Example: `  onepipe plan --source examples/tornado --publish 127.0.0.1:5000/onepipe/tornado
  CI_COMMIT_TAG=v1.2.3 GITLAB_CI=true onepipe plan --push
  onepipe plan --source examples/flask --env dev --cluster local`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := resolve(env, resolveInputs{Source: so, Ref: ro, Publish: &po, Deploy: &do})
			if err != nil {
				return err
			}
			p.Print(env.Out)
			return nil
		},
	}
	so.bind(cmd)
	ro.bind(cmd)
	po.bind(cmd)
	do.bind(cmd)
	return cmd
}
